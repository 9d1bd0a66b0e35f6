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
use lapin::{BasicProperties, Channel};
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
        let channel = match self.channel().await {
            Ok(ch) => ch,
            Err(err) => return messages.iter().map(|_| Err(clone_err(&err))).collect(),
        };
        let mut pending = Vec::with_capacity(messages.len());
        for message in messages {
            let sent = channel
                .basic_publish(
                    message.exchange.as_str().into(),
                    message.routing_key.as_str().into(),
                    BasicPublishOptions {
                        mandatory: true,
                        immediate: false,
                    },
                    &message.body,
                    properties(message),
                )
                .await;
            pending.push(sent);
        }
        let confirms = join_all(pending.into_iter().map(|sent| async move {
            match sent {
                Ok(confirm) => confirm.await,
                Err(err) => Err(err),
            }
        }))
        .await;
        let mut broken = false;
        let results = confirms
            .into_iter()
            .zip(messages)
            .map(|(confirm, message)| match confirm {
                Ok(Confirmation::Ack(None)) => Ok(()),
                Ok(Confirmation::Ack(Some(_))) => Err(PublishError::Unroutable {
                    exchange: message.exchange.clone(),
                    routing_key: message.routing_key.clone(),
                }),
                Ok(Confirmation::Nack(_)) => Err(PublishError::Nacked),
                // Without confirms we would know nothing: treat as a failure.
                Ok(Confirmation::NotRequested) => {
                    broken = true;
                    Err(PublishError::Unavailable("confirms not enabled".into()))
                }
                Err(err) => {
                    broken = true;
                    Err(PublishError::Unavailable(err.to_string()))
                }
            })
            .collect();
        if broken {
            self.discard(&channel).await;
        }
        results
    }
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
    BasicProperties::default()
        .with_message_id(message.message_id.as_str().into())
        .with_content_type(message.content_type.as_str().into())
        .with_delivery_mode(2)
        .with_headers(headers)
}
