//! Publishing with confirms. Every message is `mandatory` (an unroutable message is an
//! error, not a silent drop) and persistent, and counts as published only when the broker
//! confirmed it. Callers share one confirm channel: many publishes are in flight at once
//! and their confirms arrive together, which is what makes it fast (CRATES.md: awaiting
//! confirms one by one caps a channel at ~2k msg/s).

use std::sync::Arc;

use futures::future::join_all;
use lapin::Confirmation;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, PublisherConfirm};
use tokio::sync::Mutex;

use crate::{Broker, OutgoingMessage};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("RabbitMQ is unavailable: {0}")]
    Unavailable(String),
    #[error("no queue is bound for {exchange} / {routing_key}")]
    Unroutable {
        exchange: String,
        routing_key: String,
    },
    #[error("RabbitMQ refused the message (nack)")]
    Nacked,
}

pub struct Publisher {
    broker: Arc<Broker>,
    channel: Mutex<Option<Channel>>,
}

impl Publisher {
    pub fn new(broker: Arc<Broker>) -> Self {
        Self {
            broker,
            channel: Mutex::new(None),
        }
    }

    async fn channel(&self) -> Result<Channel, PublishError> {
        let mut guard = self.channel.lock().await;
        if let Some(ch) = guard.as_ref()
            && ch.status().connected()
        {
            return Ok(ch.clone());
        }
        let ch = self
            .broker
            .channel()
            .await
            .map_err(|e| PublishError::Unavailable(e.to_string()))?;
        ch.confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| PublishError::Unavailable(e.to_string()))?;
        *guard = Some(ch.clone());
        Ok(ch)
    }

    async fn discard(&self, broken: &Channel) {
        let mut guard = self.channel.lock().await;
        if guard.as_ref().is_some_and(|c| c.id() == broken.id()) {
            *guard = None;
        }
    }

    pub async fn publish(&self, message: &OutgoingMessage) -> Result<(), PublishError> {
        self.publish_all(std::slice::from_ref(message))
            .await
            .into_iter()
            .next()
            .unwrap_or(Ok(()))
    }

    /// Publishes every message, then awaits all their confirms together. Answers one
    /// result per message, in order: a caller (the outbox relay) marks as sent exactly
    /// those that were confirmed.
    pub async fn publish_all(&self, messages: &[OutgoingMessage]) -> Vec<Result<(), PublishError>> {
        self.send_all(messages).await.wait().await
    }

    /// Hands every message to the broker, in order, without waiting for confirms: the
    /// caller can prepare the next batch while these are confirmed, then [`Sent::wait`].
    pub async fn send_all(&self, messages: &[OutgoingMessage]) -> Sent<'_> {
        let routes = messages
            .iter()
            .map(|m| (m.exchange.clone(), m.routing_key.clone()))
            .collect();
        let channel = match self.channel().await {
            Ok(ch) => ch,
            Err(err) => {
                return Sent {
                    publisher: self,
                    channel: None,
                    routes,
                    pending: messages.iter().map(|_| Err(clone_err(&err))).collect(),
                };
            }
        };
        // `basic_publish` queues its frames on its first poll, before it first waits, and
        // `join_all` polls its futures in order: so the frames leave in `messages` order
        // (the relay's per-item ordering rests on this) while the socket writes overlap.
        let pending = join_all(messages.iter().map(|message| {
            channel.basic_publish(
                message.exchange.as_str().into(),
                message.routing_key.as_str().into(),
                BasicPublishOptions {
                    mandatory: true,
                    immediate: false,
                },
                &message.body,
                properties(message),
            )
        }))
        .await
        .into_iter()
        .map(|sent| sent.map_err(|e| PublishError::Unavailable(e.to_string())))
        .collect();
        Sent {
            publisher: self,
            channel: Some(channel),
            routes,
            pending,
        }
    }
}

/// Messages handed to the broker whose confirms are still to come.
pub struct Sent<'a> {
    publisher: &'a Publisher,
    channel: Option<Channel>,
    routes: Vec<(String, String)>,
    pending: Vec<Result<PublisherConfirm, PublishError>>,
}

impl Sent<'_> {
    /// One result per message, in order.
    pub async fn wait(self) -> Vec<Result<(), PublishError>> {
        let confirms = join_all(self.pending.into_iter().map(|sent| async move {
            match sent {
                Ok(confirm) => confirm
                    .await
                    .map_err(|e| PublishError::Unavailable(e.to_string())),
                Err(err) => Err(err),
            }
        }))
        .await;
        let mut broken = false;
        let results = confirms
            .into_iter()
            .zip(self.routes)
            .map(|(confirm, (exchange, routing_key))| {
                count_published(&exchange, &confirm);
                confirm.map(|c| (c, exchange, routing_key))
            })
            .map(|confirm| match confirm {
                Ok((Confirmation::Ack(None), _, _)) => Ok(()),
                Ok((Confirmation::Ack(Some(_)), exchange, routing_key)) => {
                    Err(PublishError::Unroutable {
                        exchange,
                        routing_key,
                    })
                }
                Ok((Confirmation::Nack(_), _, _)) => Err(PublishError::Nacked),
                // Without confirms we would know nothing: treat as a failure.
                Ok((Confirmation::NotRequested, _, _)) => {
                    broken = true;
                    Err(PublishError::Unavailable("confirms not enabled".into()))
                }
                Err(err) => {
                    broken = true;
                    Err(err)
                }
            })
            .collect();
        if broken && let Some(channel) = &self.channel {
            self.publisher.discard(channel).await;
        }
        results
    }
}

/// `messages_published_total{exchange, outcome}`: one per message handed to the broker.
/// Moves to a retry or dead-letter queue go through the default exchange (`default`).
fn count_published(exchange: &str, confirm: &Result<Confirmation, PublishError>) {
    let outcome = match confirm {
        Ok(Confirmation::Ack(None)) => "confirmed",
        Ok(Confirmation::Ack(Some(_))) => "unroutable",
        Ok(Confirmation::Nack(_)) => "nacked",
        Ok(Confirmation::NotRequested) | Err(_) => "unavailable",
    };
    let exchange = if exchange.is_empty() {
        "default".to_owned()
    } else {
        exchange.to_owned()
    };
    metrics::counter!("messages_published_total", "exchange" => exchange, "outcome" => outcome)
        .increment(1);
}

fn clone_err(err: &PublishError) -> PublishError {
    match err {
        PublishError::Unavailable(s) => PublishError::Unavailable(s.clone()),
        PublishError::Unroutable {
            exchange,
            routing_key,
        } => PublishError::Unroutable {
            exchange: exchange.clone(),
            routing_key: routing_key.clone(),
        },
        PublishError::Nacked => PublishError::Nacked,
    }
}

pub(crate) fn properties(message: &OutgoingMessage) -> BasicProperties {
    let mut headers = FieldTable::default();
    for (key, value) in &message.headers {
        headers.insert(
            ShortString::from(key.as_str()),
            AMQPValue::LongString(LongString::from(value.as_bytes().to_vec())),
        );
    }
    // Every message carries the trace it was published in, unless the caller chose one.
    if !message
        .headers
        .iter()
        .any(|(key, _)| key == crate::headers::TRACEPARENT)
        && let Some(traceparent) = crate::trace::current_traceparent()
    {
        headers.insert(
            ShortString::from(crate::headers::TRACEPARENT),
            AMQPValue::LongString(LongString::from(traceparent.into_bytes())),
        );
    }
    BasicProperties::default()
        .with_message_id(message.message_id.as_str().into())
        .with_content_type(message.content_type.as_str().into())
        .with_delivery_mode(2)
        .with_headers(headers)
}
