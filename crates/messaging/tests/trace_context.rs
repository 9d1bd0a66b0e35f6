//! Trace context across the broker, against a real RabbitMQ: the publisher puts the current
//! span's W3C `traceparent` on a message by itself, and a message moved through the retry
//! ladder keeps it, so the consumer's span continues the publisher's trace however many
//! attempts it takes.

use std::sync::{Arc, Once};
use std::time::Duration;

use navsync_messaging::{
    Broker, ConsumerConfig, IncomingMessage, Outcome, OutgoingMessage, Publisher, QueueSpec,
    headers, run_consumer, topology,
};
use navsync_test_support::TestVhost;
use opentelemetry::trace::{TraceContextExt, TraceId, TracerProvider as _};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;

const EXCHANGE: &str = "navsync.test";

/// Spans get OpenTelemetry ids, as in a service (which exports them or not): once per
/// process, for every thread the runtime uses.
fn record_spans() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    });
}

fn message(id: &str) -> OutgoingMessage {
    // No traceparent given: the publisher must find it on its own.
    OutgoingMessage::cloud_event(EXCHANGE, "thing.happened.v1", id, b"{}".to_vec(), None)
}

fn trace_id_of(traceparent: &str) -> &str {
    traceparent.split('-').nth(1).unwrap_or_default()
}

/// A consumer of `queue` that reports each delivery and retries its first attempt.
async fn consume_retrying_once(
    vhost: &TestVhost,
    name: &str,
) -> (
    Arc<Broker>,
    mpsc::UnboundedReceiver<IncomingMessage>,
    CancellationToken,
) {
    let queue = QueueSpec::new(name, EXCHANGE, &["thing.#"])
        .with_retry_delays(vec![Duration::from_millis(100)]);
    let broker = Broker::new(vhost.url().to_owned().into(), "test");
    let channel = broker.channel().await.expect("channel");
    topology::declare_queue(&channel, &queue)
        .await
        .expect("topology");
    let (tx, rx) = mpsc::unbounded_channel();
    let shutdown = CancellationToken::new();
    let config = ConsumerConfig {
        spec: queue,
        prefetch: 10,
        consumer_tag: "test".into(),
    };
    tokio::spawn(run_consumer(
        broker.clone(),
        config,
        move |msg: IncomingMessage| {
            let tx = tx.clone();
            async move {
                let first = msg.retry_count == 0;
                let _ = tx.send(msg);
                if first {
                    Outcome::retry("not yet")
                } else {
                    Outcome::Ack
                }
            }
        },
        shutdown.clone(),
    ));
    (broker, rx, shutdown)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<IncomingMessage>) -> IncomingMessage {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a message within 10 s")
        .expect("channel open")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_publisher_injects_the_current_spans_traceparent_and_a_retry_keeps_it() {
    record_spans();
    let vhost = TestVhost::create().await;
    let (broker, mut rx, stop) = consume_retrying_once(&vhost, "q.trace").await;
    let publisher = Publisher::new(broker);

    let span = tracing::info_span!("publishing");
    let trace_id = span.context().span().span_context().trace_id();
    assert_ne!(trace_id, TraceId::INVALID, "the span is recorded");
    publisher
        .publish(&message("in-a-span"))
        .instrument(span)
        .await
        .expect("confirmed");

    let first = next(&mut rx).await;
    let traceparent = first
        .header_str(headers::TRACEPARENT)
        .expect("the publisher added a traceparent");
    assert_eq!(trace_id_of(&traceparent), trace_id.to_string());

    // The retry queue gives it back with the same traceparent: the publisher's span stays
    // the parent, not the first attempt's consumer span.
    let second = next(&mut rx).await;
    assert_eq!(second.retry_count, 1, "it went through the retry ladder");
    assert_eq!(
        second.header_str(headers::TRACEPARENT).as_deref(),
        Some(traceparent.as_str())
    );
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_any_span_a_message_carries_no_traceparent() {
    // The control of the test above: the header comes from the span, not from anywhere else.
    record_spans();
    let vhost = TestVhost::create().await;
    let (broker, mut rx, stop) = consume_retrying_once(&vhost, "q.no-trace").await;
    Publisher::new(broker)
        .publish(&message("no-span"))
        .await
        .expect("confirmed");
    let first = next(&mut rx).await;
    assert_eq!(first.header_str(headers::TRACEPARENT), None);
    stop.cancel();
}
