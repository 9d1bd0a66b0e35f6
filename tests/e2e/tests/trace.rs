//! One trace from a Navigator edit to ADO and back (issue #7). Every service runs in this
//! process, so one tracer provider with an in-memory exporter sees all their spans.
//!
//! Creating an action item: the HTTP request span of action-items → the outbox relay's
//! publish span → ado-sync's consume span → the ADO call (a client span with method and
//! status), and on to action-items applying `action_item.synced.v1`. An edit in ADO: the
//! webhook's request span of webhook-ingress → ado-sync's consume span → action-items'
//! consume span of `action_item.changed_in_ado.v1`. Each chain is checked by walking the
//! parent span ids, so one trace id alone does not pass.

mod common;
#[path = "support/world.rs"]
mod world;

use std::collections::HashMap;

use opentelemetry::Value as AttrValue;
use opentelemetry::trace::{SpanId, SpanKind, TraceId};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use serde_json::json;
use world::{eventually, world};

fn attr<'a>(span: &'a SpanData, key: &str) -> Option<&'a AttrValue> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

fn attr_str(span: &SpanData, key: &str) -> String {
    attr(span, key)
        .map(|v| v.as_str().into_owned())
        .unwrap_or_default()
}

struct Spans(Vec<SpanData>);

impl Spans {
    fn by_id(&self) -> HashMap<(TraceId, SpanId), &SpanData> {
        self.0
            .iter()
            .map(|s| ((s.span_context.trace_id(), s.span_context.span_id()), s))
            .collect()
    }

    /// `span` and its ancestors, nearest first, as far as they were recorded.
    fn chain<'a>(&'a self, span: &'a SpanData) -> Vec<&'a SpanData> {
        let index = self.by_id();
        let mut chain = vec![span];
        let mut current = span;
        while current.parent_span_id != SpanId::INVALID {
            let key = (current.span_context.trace_id(), current.parent_span_id);
            match index.get(&key) {
                Some(parent) => {
                    chain.push(parent);
                    current = parent;
                }
                None => break,
            }
        }
        chain
    }

    fn server(&self, route_prefix: &str, method: &str) -> Option<&SpanData> {
        self.0.iter().find(|s| {
            s.span_kind == SpanKind::Server
                && attr_str(s, "http.route").starts_with(route_prefix)
                && attr_str(s, "http.method") == method
        })
    }

    /// The consumer spans of `queue` for messages of `routing_key`.
    fn consumed<'a>(
        &'a self,
        queue: &'a str,
        routing_key: &'a str,
    ) -> impl Iterator<Item = &'a SpanData> + 'a {
        self.0.iter().filter(move |s| {
            s.span_kind == SpanKind::Consumer
                && attr_str(s, "messaging.consumer.queue") == queue
                && attr_str(s, "messaging.rabbitmq.destination.routing_key") == routing_key
        })
    }
}

fn describe(chain: &[&SpanData]) -> String {
    chain
        .iter()
        .map(|s| format!("{} ({:?})", s.name, s.span_kind))
        .collect::<Vec<_>>()
        .join(" ← ")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_action_item_is_one_trace_from_the_request_to_the_ado_call_and_back() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let db = navsync_test_support::TestDatabase::create().await;
    let base = navsync_test_support::settings(&db, "http://127.0.0.1:9", &[]);
    std::mem::forget(navsync_platform::telemetry::init_with_provider(
        "e2e",
        &base,
        std::io::sink,
        provider.clone(),
    ));
    let w = world().await;

    // Navigator → ADO.
    let id = w.create_item("Trace me").await;
    assert!(
        eventually(30, || async {
            w.item(&id).await["ado"]["sync_state"] == "synced"
        })
        .await,
        "the action item synced"
    );
    let spans = || Spans(exporter.get_finished_spans().unwrap_or_default());
    // The chain is complete once action-items has handled the synced report.
    assert!(
        eventually(10, || async {
            spans()
                .consumed("action-items.ado-sync", "action_item.synced.v1")
                .next()
                .is_some()
        })
        .await,
        "action-items consumed action_item.synced.v1 in a span"
    );
    let all = spans();
    let request = all
        .server("/v1/action-items", "POST")
        .expect("the request span of POST /v1/action-items");
    let trace = request.span_context.trace_id();
    let request_id = request.span_context.span_id();

    let ado_calls: Vec<&SpanData> = all
        .0
        .iter()
        .filter(|s| s.span_kind == SpanKind::Client && s.span_context.trace_id() == trace)
        .collect();
    assert!(
        !ado_calls.is_empty(),
        "the ADO calls are in the request's trace"
    );
    let create = ado_calls
        .iter()
        .find(|s| {
            attr_str(s, "http.request.method") != "GET"
                && attr(s, "http.response.status_code").is_some()
        })
        .expect("a write to ADO with its method and status");
    let chain = all.chain(create);
    let kinds: Vec<SpanKind> = chain.iter().map(|s| s.span_kind.clone()).collect();
    assert_eq!(
        chain.last().map(|s| s.span_context.span_id()),
        Some(request_id),
        "the ADO call descends from the request: {}",
        describe(&chain)
    );
    let consume = chain
        .iter()
        .find(|s| s.span_kind == SpanKind::Consumer)
        .expect("a consume span in the chain");
    assert_eq!(
        attr_str(consume, "messaging.consumer.queue"),
        "ado-sync.action-items"
    );
    let publish_at = kinds.iter().position(|k| *k == SpanKind::Producer);
    let consume_at = kinds.iter().position(|k| *k == SpanKind::Consumer);
    assert!(
        matches!((consume_at, publish_at), (Some(c), Some(p)) if c < p),
        "request ← publish ← consume ← ADO call: {}",
        describe(&chain)
    );
    let status = attr(create, "http.response.status_code")
        .map(|v| v.as_str().into_owned())
        .unwrap_or_default();
    assert!(status.starts_with('2'), "ADO answered {status}");

    // And back: action-items applied ado-sync's report within the same trace.
    let report = all
        .consumed("action-items.ado-sync", "action_item.synced.v1")
        .find(|s| s.span_context.trace_id() == trace)
        .expect("the synced report is handled in the request's trace");
    let back = all.chain(report);
    assert_eq!(
        back.last().map(|s| s.span_context.span_id()),
        Some(request_id),
        "{}",
        describe(&back)
    );

    // ADO → Navigator: an edit in ADO comes back through the webhook in one trace.
    let work_item = w.item(&id).await["ado"]["work_item_id"]
        .as_i64()
        .expect("work item id");
    w.edit_in_ado(work_item, json!({"System.Title": "Traced in ADO"}))
        .await;
    assert!(
        eventually(30, || async {
            w.item(&id).await["title"] == "Traced in ADO"
        })
        .await,
        "the edit came back"
    );
    assert!(
        eventually(10, || async {
            spans()
                .consumed("action-items.ado-sync", "action_item.changed_in_ado.v1")
                .next()
                .is_some()
        })
        .await,
        "action-items consumed changed_in_ado in a span"
    );
    let all = spans();
    let applied = all
        .consumed("action-items.ado-sync", "action_item.changed_in_ado.v1")
        .next()
        .expect("the changed_in_ado span");
    let chain = all.chain(applied);
    let root = chain.last().expect("a root");
    assert_eq!(root.span_kind, SpanKind::Server, "{}", describe(&chain));
    assert!(
        attr_str(root, "http.route").starts_with("/hooks/ado/"),
        "the webhook request starts the trace: {}",
        describe(&chain)
    );
    assert!(
        chain
            .iter()
            .any(|s| attr_str(s, "messaging.consumer.queue") == "ado-sync.ado-inbound"),
        "ado-sync handled the raw event in between: {}",
        describe(&chain)
    );
    let _ = provider.force_flush();
}
