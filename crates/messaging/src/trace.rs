//! Trace context across the broker (STYLE.md habit 6): the W3C `traceparent` of the
//! publishing span goes into the message headers (unless the caller set one, as the outbox
//! relay does), and each delivery is handled inside a `consumer` span whose parent is that
//! `traceparent` — from the header, or from the CloudEvent's `traceparent` extension
//! attribute when a hop dropped the headers. A message without either starts a new trace.

use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::IncomingMessage;
use crate::message::headers;

struct Traceparent<'a>(&'a str);

impl Extractor for Traceparent<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        (key == headers::TRACEPARENT).then_some(self.0)
    }

    fn keys(&self) -> Vec<&str> {
        vec![headers::TRACEPARENT]
    }
}

/// The context a `traceparent` names, when it is well formed.
pub fn parent_context(traceparent: &str) -> Option<opentelemetry::Context> {
    let context = TraceContextPropagator::new().extract(&Traceparent(traceparent));
    context.span().span_context().is_valid().then_some(context)
}

/// The `traceparent` a delivery carries: its header, else the CloudEvent attribute.
pub fn traceparent_of(message: &IncomingMessage) -> Option<String> {
    message.header_str(headers::TRACEPARENT).or_else(|| {
        #[derive(serde::Deserialize)]
        struct Attribute {
            traceparent: Option<String>,
        }
        serde_json::from_slice::<Attribute>(&message.body)
            .ok()
            .and_then(|a| a.traceparent)
    })
}

/// The span a delivery of `queue` is handled in: a child of the publisher's span.
pub fn consume_span(message: &IncomingMessage, queue: &str) -> Span {
    let span = tracing::info_span!(
        parent: None,
        "consume",
        otel.name = %format!("{queue} process"),
        otel.kind = "consumer",
        messaging.system = "rabbitmq",
        messaging.operation.type = "process",
        messaging.destination.name = %message.exchange,
        messaging.rabbitmq.destination.routing_key = %message.routing_key,
        messaging.message.id = message.message_id.as_deref().unwrap_or_default(),
        messaging.consumer.queue = queue,
        retry_count = message.retry_count,
    );
    if let Some(parent) = traceparent_of(message).as_deref().and_then(parent_context) {
        let _ = span.set_parent(parent);
    }
    span
}

#[cfg(test)]
mod tests {
    use super::parent_context;

    #[test]
    fn only_a_well_formed_traceparent_is_a_parent() {
        assert!(
            parent_context("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_some()
        );
        assert!(
            parent_context("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none()
        );
        assert!(parent_context("not a traceparent").is_none());
    }
}
