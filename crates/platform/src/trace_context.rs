//! W3C trace context at the edges of a service: the HTTP root span continues the trace of
//! a caller that sent `traceparent` (another service, a test, a proxy), and helpers turn a
//! `traceparent` into a parent context and back.
//!
//! `tracing-actix-web` 0.7.25 extracts the context itself only for OpenTelemetry up to
//! 0.32 (feature `opentelemetry_0_32`), so for 0.33 the root span builder is ours.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The root span of a request (method, route, target, peer, status, `otel.kind = server`),
/// whose parent is the request's `traceparent` when it carries a valid one.
///
/// Not `tracing_actix_web::root_span!`: that one draws a random request id, parses the
/// forwarding headers and formats a dozen fields for every request, a fifth of the
/// ingress's own CPU per webhook (callgrind), for fields nobody reads here.
#[derive(Debug, Clone, Copy, Default)]
pub struct TracedRootSpan;

impl RootSpanBuilder for TracedRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let empty = tracing::field::Empty;
        // The route and the span's name are recorded once routing found them
        // ([`crate::http_metrics::record`]): matching the path here too cost as much again.
        let span = tracing::info_span!(
            "HTTP request",
            http.method = request.method().as_str(),
            http.route = empty,
            http.target = request.path(),
            http.client_ip = tracing::field::display(
                request
                    .peer_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default()
            ),
            http.status_code = empty,
            otel.name = empty,
            otel.kind = "server",
            otel.status_code = empty,
            exception.message = empty,
            exception.details = empty,
        );
        let headers = request.headers();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(parent) =
            header("traceparent").and_then(|tp| parent_context(tp, header("tracestate")))
        {
            let _ = span.set_parent(parent);
        }
        span
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

struct Carrier<'a> {
    traceparent: &'a str,
    tracestate: Option<&'a str>,
}

impl Extractor for Carrier<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            "traceparent" => Some(self.traceparent),
            "tracestate" => self.tracestate,
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec!["traceparent", "tracestate"]
    }
}

/// The remote parent a `traceparent` names; `None` when it is malformed, so the span just
/// starts a new trace.
pub fn parent_context(
    traceparent: &str,
    tracestate: Option<&str>,
) -> Option<opentelemetry::Context> {
    let context = TraceContextPropagator::new().extract(&Carrier {
        traceparent,
        tracestate,
    });
    context.span().span_context().is_valid().then_some(context)
}

/// The W3C `traceparent` of `span`; `None` when it is not recorded.
pub fn traceparent_of(span: &Span) -> Option<String> {
    let context = span.context();
    let span = context.span();
    let ids = span.span_context();
    ids.is_valid().then(|| {
        traceparent(
            ids.trace_id().to_bytes(),
            ids.span_id().to_bytes(),
            ids.trace_flags().to_u8(),
        )
    })
}

/// `00-{trace id}-{span id}-{flags}` in lowercase hex, written without `format!` (its
/// machinery was most of the cost of a `traceparent`, made for every event published).
fn traceparent(trace_id: [u8; 16], span_id: [u8; 8], flags: u8) -> String {
    let mut out = [0u8; 55];
    out[..3].copy_from_slice(b"00-");
    out[35] = b'-';
    out[52] = b'-';
    // The lengths are fixed: each part's hex fits its slot exactly.
    let hex = |src: &[u8], dst: &mut [u8]| {
        let _ = base16ct::lower::encode(src, dst);
    };
    hex(&trace_id, &mut out[3..35]);
    hex(&span_id, &mut out[36..52]);
    hex(&[flags], &mut out[53..55]);
    // Hex digits and dashes only: always UTF-8.
    String::from_utf8(out.to_vec()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::parent_context;

    #[test]
    fn a_traceparent_is_written_as_w3c_spells_it() {
        let trace = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128.to_be_bytes();
        let span = 0x00f0_67aa_0ba9_02b7_u64.to_be_bytes();
        assert_eq!(
            super::traceparent(trace, span, 1),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        );
        assert_eq!(
            super::traceparent([0xff; 16], [0; 8], 0xa0),
            format!("00-{}-{}-a0", "f".repeat(32), "0".repeat(16))
        );
    }

    #[test]
    fn a_valid_traceparent_is_a_parent_and_garbage_is_not() {
        let parent = parent_context(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            None,
        );
        assert!(parent.is_some());
        assert!(parent_context("00-nonsense", None).is_none());
        assert!(parent_context("", Some("a=b")).is_none());
    }
}
