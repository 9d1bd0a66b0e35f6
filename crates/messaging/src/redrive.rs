//! Dead letters for operators: list what sits in a queue's `<queue>.dlq` with the reasons,
//! send some back to `<queue>` (re-drive), or drop some for good (discard). Usable by any
//! service; ado-sync serves it over its internal API (`/internal/v1/dead-letters`).
//!
//! One primitive does all three: [`walk`] takes every message the dead-letter queue holds
//! when it starts, once, in order, and for each either publishes it back to the tail of
//! the dead-letter queue (kept), to `<queue>` through the default exchange (re-driven), or
//! nowhere (discarded, after the caller's audit hook succeeded) — always publishing, with
//! the broker's confirm, *before* it acks the original. So nothing is lost if the walker
//! dies half-way (at worst a message is in both places, and every navsync handler is
//! idempotent), the order of the kept messages is the order they had, and no message
//! gains a delivery count (a quorum queue drops a message that is requeued too often, so
//! `nack(requeue)` would not do for listing).
//!
//! Two walks of the same queue at once would each see a part: the caller serialises them
//! (ado-sync takes an advisory lock per queue).

use futures::future::BoxFuture;
use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};

use crate::message::headers;
use crate::{Broker, BrokerError, IncomingMessage, OutgoingMessage, Publisher};

/// A dead-lettered message as an operator sees it (never its body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// 0-based place in the dead-letter queue when the walk started.
    pub position: usize,
    pub message_id: Option<String>,
    /// Where it was first published (kept across retries and dead-lettering).
    pub exchange: String,
    pub routing_key: String,
    /// Why it was dead-lettered (`x-navsync-dead-letter-reason`).
    pub reason: Option<String>,
    pub retry_count: u32,
    pub size: usize,
}

/// Which dead letters an action concerns: every given criterion must match; an empty
/// filter matches everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub message_id: Option<String>,
    /// A case-insensitive substring of the reason.
    pub reason_contains: Option<String>,
    /// The original routing key, exactly.
    pub routing_key: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.message_id.is_none() && self.reason_contains.is_none() && self.routing_key.is_none()
    }

    pub fn matches(&self, dead: &DeadLetter) -> bool {
        self.message_id
            .as_ref()
            .is_none_or(|id| dead.message_id.as_ref() == Some(id))
            && self.reason_contains.as_ref().is_none_or(|needle| {
                dead.reason
                    .as_deref()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains(&needle.to_lowercase())
            })
            && self
                .routing_key
                .as_ref()
                .is_none_or(|key| &dead.routing_key == key)
    }
}

/// What a walk does with the messages its filter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing: list them.
    List,
    Redrive,
    Discard,
}

/// The outcome of a walk: every message seen, and which were acted on.
#[derive(Debug, Default)]
pub struct Walked {
    pub seen: Vec<DeadLetter>,
    pub acted: Vec<DeadLetter>,
}

/// Called with each message about to be discarded or re-driven, before anything moves;
/// an error keeps the message where it is (e.g. the audit row could not be written).
pub type Audit<'a> =
    dyn FnMut(DeadLetter, Vec<u8>) -> BoxFuture<'a, Result<(), String>> + Send + 'a;

/// Walks `<queue>.dlq` once (see the module doc), doing `action` on the messages `filter`
/// matches, at most `max_acted` of them.
pub async fn walk(
    broker: &Broker,
    publisher: &Publisher,
    queue: &str,
    filter: &Filter,
    action: Action,
    max_acted: usize,
    audit: &mut Audit<'_>,
) -> Result<Walked, BrokerError> {
    let dlq = format!("{queue}.dlq");
    let channel = broker.channel().await?;
    let declared = channel
        .queue_declare(
            dlq.as_str().into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await?;
    let count = declared.message_count() as usize;
    let mut walked = Walked::default();
    for position in 0..count {
        let Some(got) = channel
            .basic_get(dlq.as_str().into(), BasicGetOptions { no_ack: false })
            .await?
        else {
            break;
        };
        let delivery = got.delivery;
        let message = crate::consumer::incoming(&delivery);
        let dead = describe(position, &message);
        let wanted =
            action != Action::List && walked.acted.len() < max_acted && filter.matches(&dead);
        let mut target = dlq.clone();
        let mut strip = false;
        if wanted {
            match audit(dead.clone(), message.body.clone()).await {
                Ok(()) if action == Action::Redrive => {
                    target = queue.to_owned();
                    strip = true;
                }
                Ok(()) => target.clear(),
                Err(err) => {
                    tracing::warn!(queue, error = %err, "audit failed; the dead letter stays");
                }
            }
        }
        if !target.is_empty() {
            publisher
                .publish(&republish(&message, &target, strip))
                .await
                .map_err(|e| BrokerError::Unavailable(e.to_string()))?;
        }
        delivery.acker.ack(BasicAckOptions::default()).await?;
        if target != dlq {
            walked.acted.push(dead.clone());
        }
        walked.seen.push(dead);
    }
    let _ = channel.close(200, "dead letters walked".into()).await;
    for (label, n) in [
        ("redriven", Action::Redrive),
        ("discarded", Action::Discard),
    ] {
        if action == n && !walked.acted.is_empty() {
            metrics::counter!("dead_letters_total", "queue" => queue.to_owned(), "action" => label)
                .increment(walked.acted.len() as u64);
        }
    }
    Ok(walked)
}

fn describe(position: usize, message: &IncomingMessage) -> DeadLetter {
    DeadLetter {
        position,
        message_id: message.message_id.clone(),
        exchange: message.exchange.clone(),
        routing_key: message.routing_key.clone(),
        reason: message.header_str(headers::DEAD_LETTER_REASON),
        retry_count: message.retry_count,
        size: message.body.len(),
    }
}

/// The same message for `queue`. A re-driven message starts its retry ladder afresh and no
/// longer says it was dead-lettered; where it first came from stays.
fn republish(message: &IncomingMessage, queue: &str, redriven: bool) -> OutgoingMessage {
    let mut pairs: Vec<(String, String)> = message
        .headers
        .inner()
        .iter()
        .filter_map(|(k, v)| {
            let value = match v {
                AMQPValue::LongString(s) => s.to_string(),
                AMQPValue::ShortString(s) => s.to_string(),
                AMQPValue::LongUInt(n) => n.to_string(),
                AMQPValue::LongInt(n) => n.to_string(),
                AMQPValue::LongLongInt(n) => n.to_string(),
                _ => return None,
            };
            Some((k.to_string(), value))
        })
        .collect();
    if redriven {
        pairs.retain(|(k, _)| {
            k != headers::DEAD_LETTER_REASON
                && k != headers::RETRY_COUNT
                && k != headers::RETRY_REASON
        });
    }
    for (key, value) in [
        (headers::ORIGINAL_EXCHANGE, &message.exchange),
        (headers::ORIGINAL_ROUTING_KEY, &message.routing_key),
    ] {
        if !pairs.iter().any(|(k, _)| k == key) {
            pairs.push((key.to_owned(), value.clone()));
        }
    }
    OutgoingMessage {
        exchange: String::new(),
        routing_key: queue.to_owned(),
        message_id: message.message_id.clone().unwrap_or_default(),
        content_type: "application/cloudevents+json".to_owned(),
        body: message.body.clone(),
        headers: pairs,
        expiration: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dead(reason: &str, key: &str, id: &str) -> DeadLetter {
        DeadLetter {
            position: 0,
            message_id: Some(id.into()),
            exchange: "x".into(),
            routing_key: key.into(),
            reason: Some(reason.into()),
            retry_count: 0,
            size: 1,
        }
    }

    #[test]
    fn a_filter_matches_when_every_given_criterion_does() {
        let d = dead("decode: bad field `title`", "action_item.created.v1", "m1");
        assert!(Filter::default().matches(&d));
        let by_reason = Filter {
            reason_contains: Some("BAD FIELD".into()),
            ..Filter::default()
        };
        assert!(by_reason.matches(&d));
        let both = Filter {
            reason_contains: Some("bad field".into()),
            routing_key: Some("action_item.updated.v1".into()),
            ..Filter::default()
        };
        assert!(!both.matches(&d));
        let by_id = Filter {
            message_id: Some("m2".into()),
            ..Filter::default()
        };
        assert!(!by_id.matches(&d));
    }
}
