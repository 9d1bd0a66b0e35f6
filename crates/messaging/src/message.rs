//! Messages in and out, and the verdict a handler gives on one.

use lapin::types::{AMQPValue, FieldTable, ShortString};

/// Header names navsync writes.
pub mod headers {
    /// W3C trace context, so a trace follows the message.
    pub const TRACEPARENT: &str = "traceparent";
    /// How many times the message went through a retry queue.
    pub const RETRY_COUNT: &str = "x-navsync-retry-count";
    /// Why the message was dead-lettered.
    pub const DEAD_LETTER_REASON: &str = "x-navsync-dead-letter-reason";
    /// The last reason a retry was asked for.
    pub const RETRY_REASON: &str = "x-navsync-retry-reason";
    pub const ORIGINAL_EXCHANGE: &str = "x-navsync-original-exchange";
    pub const ORIGINAL_ROUTING_KEY: &str = "x-navsync-original-routing-key";
}

/// A message to publish. The body is already encoded (a CloudEvent in JSON).
#[derive(Debug, Clone)]
pub struct OutgoingMessage {
    pub exchange: String,
    pub routing_key: String,
    pub message_id: String,
    pub content_type: String,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// A per-message TTL (AMQP `expiration`); only moves to a retry queue set one (see
    /// [`crate::topology::retry_expiration`]).
    pub expiration: Option<std::time::Duration>,
}

impl OutgoingMessage {
    pub fn cloud_event(
        exchange: impl Into<String>,
        routing_key: impl Into<String>,
        message_id: impl Into<String>,
        body: Vec<u8>,
        traceparent: Option<String>,
    ) -> Self {
        Self {
            exchange: exchange.into(),
            routing_key: routing_key.into(),
            message_id: message_id.into(),
            content_type: "application/cloudevents+json".to_owned(),
            body,
            headers: traceparent
                .map(|t| vec![(headers::TRACEPARENT.to_owned(), t)])
                .unwrap_or_default(),
            expiration: None,
        }
    }
}

/// A delivered message, as a handler sees it.
#[derive(Debug, Clone)]
pub struct IncomingMessage {
    pub exchange: String,
    pub routing_key: String,
    pub message_id: Option<String>,
    pub body: Vec<u8>,
    pub redelivered: bool,
    /// Times this message already went through a retry queue.
    pub retry_count: u32,
    pub headers: FieldTable,
}

impl IncomingMessage {
    pub fn header_str(&self, name: &str) -> Option<String> {
        header_string(&self.headers, name)
    }
}

pub(crate) fn header_string(table: &FieldTable, name: &str) -> Option<String> {
    match table.inner().get(&ShortString::from(name))? {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.to_string()),
        _ => None,
    }
}

pub(crate) fn header_u32(table: &FieldTable, name: &str) -> Option<u32> {
    match table.inner().get(&ShortString::from(name))? {
        AMQPValue::LongUInt(n) => Some(*n),
        AMQPValue::LongInt(n) => u32::try_from(*n).ok(),
        AMQPValue::LongLongInt(n) => u32::try_from(*n).ok(),
        AMQPValue::ShortInt(n) => u32::try_from(*n).ok(),
        AMQPValue::ShortUInt(n) => Some(u32::from(*n)),
        // Our own moves write every header as text.
        AMQPValue::LongString(s) => s.to_string().parse().ok(),
        _ => None,
    }
}

/// What to do with a message once its handler has run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done: remove it from the queue.
    Ack,
    /// Not now: try again after the next delay of the queue's retry ladder. When the
    /// ladder is exhausted the message is dead-lettered with this reason.
    Retry { reason: String },
    /// Never: move it to the dead-letter queue with this reason.
    DeadLetter { reason: String },
}

impl Outcome {
    pub fn retry(reason: impl Into<String>) -> Self {
        Self::Retry {
            reason: reason.into(),
        }
    }

    pub fn dead_letter(reason: impl Into<String>) -> Self {
        Self::DeadLetter {
            reason: reason.into(),
        }
    }
}
