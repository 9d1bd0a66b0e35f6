//! The relay's publish spans. An outbox row stores the `traceparent` of the change that
//! wrote it; the relay publishes the row inside a `producer` span that is a child of that
//! change, and sends the span's own `traceparent` with the message, so the consumer's span
//! hangs below the publish: request → publish → consume, one trace.

use navsync_messaging::PublishError;
use opentelemetry::trace::Status;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::table::PendingRow;

/// A publish span for `row`, when the row carries a trace to continue; rows written
/// outside any trace are published without one.
pub(crate) fn publish_span(row: &PendingRow) -> Option<tracing::Span> {
    let parent = row
        .traceparent
        .as_deref()
        .and_then(|tp| navsync_platform::trace_context::parent_context(tp, None))?;
    let span = tracing::info_span!(
        parent: None,
        "outbox publish",
        otel.name = %format!("{} publish", row.exchange),
        otel.kind = "producer",
        messaging.system = "rabbitmq",
        messaging.operation.type = "publish",
        messaging.destination.name = %row.exchange,
        messaging.rabbitmq.destination.routing_key = %row.routing_key,
        messaging.message.id = %row.event_id,
    );
    let _ = span.set_parent(parent);
    Some(span)
}

/// Ends the spans of a pass (one per row, `None` for an untraced row); those whose
/// message the broker did not confirm are marked as errors.
pub(crate) fn end_publish_spans(
    spans: Vec<Option<tracing::Span>>,
    results: &[Result<(), PublishError>],
) {
    for (span, result) in spans.iter().zip(results) {
        if let (Some(span), Err(err)) = (span, result) {
            span.set_status(Status::error(err.to_string()));
        }
    }
}
