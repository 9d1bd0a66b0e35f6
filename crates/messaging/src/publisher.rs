//! Publishing with confirms. Every message is `mandatory` (an unroutable message is an
//! error, not a silent drop) and persistent, and counts as published only when the broker
//! confirmed it. A batch's publishes are all in flight at once on its channel and their
//! confirms arrive together, which is what makes it fast (CRATES.md: awaiting confirms one
//! by one caps a channel at ~2k msg/s); batches of different callers use different
//! channels from a small pool.

use std::collections::HashSet;
use std::sync::Arc;

use futures::future::join_all;
use lapin::message::BasicReturnMessage;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Confirmation, PublisherConfirm};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
    /// Confirm-mode channels no batch is using.
    idle: std::sync::Mutex<Vec<Channel>>,
    /// Bounds the channels in use at once; a caller beyond it waits for one.
    channels: Arc<Semaphore>,
}

/// Channels one publisher keeps open at most: enough for a relay's batches in flight, far
/// under RabbitMQ's 2047 per connection.
const CHANNELS: usize = 32;

impl Publisher {
    pub fn new(broker: Arc<Broker>) -> Self {
        Self::with_channels(broker, CHANNELS)
    }

    /// A publisher with at most `channels` batches in flight at once (at least one).
    pub fn with_channels(broker: Arc<Broker>, channels: usize) -> Self {
        Self {
            broker,
            idle: std::sync::Mutex::new(Vec::new()),
            channels: Arc::new(Semaphore::new(channels.max(1))),
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Channel>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn open_channel(&self) -> Result<Channel, PublishError> {
        loop {
            let Some(ch) = self.idle().pop() else { break };
            if ch.status().connected() {
                return Ok(ch);
            }
        }
        let ch = self
            .broker
            .channel()
            .await
            .map_err(|e| PublishError::Unavailable(e.to_string()))?;
        ch.confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| PublishError::Unavailable(e.to_string()))?;
        Ok(ch)
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
    /// caller can prepare the next batch while these are confirmed, then [`Batch::wait`].
    pub async fn send_all(&self, messages: &[OutgoingMessage]) -> Batch<'_> {
        let mut batch = self.batch().await;
        batch.send(messages).await;
        batch
    }

    /// A batch with a channel of its own until its confirms are in. lapin hands a
    /// returned (unroutable) message to whichever confirm a multiple-ack resolves first,
    /// which may be another message's or another caller's; alone on its channel, a batch
    /// gets all of its returns and only those, and tells them apart by [`PUBLISH_TAG`].
    pub async fn batch(&self) -> Batch<'_> {
        let permit = Arc::clone(&self.channels).acquire_owned().await.ok();
        let channel = match permit {
            Some(_) => self.open_channel().await,
            None => Err(PublishError::Unavailable("the publisher is closed".into())),
        };
        Batch {
            publisher: self,
            channel,
            _permit: permit,
            routes: Vec::new(),
            pending: Vec::new(),
        }
    }
}

/// How long a batch waits for its confirms before it counts them as failed and gives its
/// channel up; far beyond any caller's own timeout.
const CONFIRM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The header numbering each message of a batch, so that a returned message names the
/// publish it belongs to.
const PUBLISH_TAG: &str = "x-navsync-publish-tag";

/// Messages handed to the broker on one channel whose confirms are still to come.
pub struct Batch<'a> {
    publisher: &'a Publisher,
    /// Taken by [`Batch::wait`]; a batch dropped unwaited closes it.
    channel: Result<Channel, PublishError>,
    _permit: Option<OwnedSemaphorePermit>,
    routes: Vec<(String, String)>,
    pending: Vec<Result<PublisherConfirm, PublishError>>,
}

impl Batch<'_> {
    /// Hands `messages` to the broker after those sent before, in order.
    pub async fn send(&mut self, messages: &[OutgoingMessage]) {
        self.routes.extend(
            messages
                .iter()
                .map(|m| (m.exchange.clone(), m.routing_key.clone())),
        );
        let channel = match &self.channel {
            Ok(ch) => ch.clone(),
            Err(err) => {
                self.pending
                    .extend(messages.iter().map(|_| Err(clone_err(err))));
                return;
            }
        };
        let first = self.pending.len();
        // `basic_publish` queues its frames on its first poll, before it first waits, and
        // `join_all` polls its futures in order: so the frames leave in `messages` order
        // (the relay's per-item ordering rests on this) while the socket writes overlap.
        let sent = join_all(messages.iter().enumerate().map(|(i, message)| {
            channel.basic_publish(
                message.exchange.as_str().into(),
                message.routing_key.as_str().into(),
                BasicPublishOptions {
                    mandatory: true,
                    immediate: false,
                },
                &message.body,
                properties(message, (first + i) as u64),
            )
        }))
        .await;
        self.pending.extend(
            sent.into_iter()
                .map(|sent| sent.map_err(|e| PublishError::Unavailable(e.to_string()))),
        );
    }

    /// One result per message, in order.
    pub async fn wait(mut self) -> Vec<Result<(), PublishError>> {
        let pending = std::mem::take(&mut self.pending);
        let count = pending.len();
        let confirms = join_all(pending.into_iter().map(|sent| async move {
            match sent {
                Ok(confirm) => confirm
                    .await
                    .map_err(|e| PublishError::Unavailable(e.to_string())),
                Err(err) => Err(err),
            }
        }));
        // A batch holds its channel and a place in the pool until its confirms are in: a
        // confirm that never comes — its channel gone, or the broker silent — must not
        // take a place for good. Confirms already in count first (`biased`).
        let channel = self.channel.as_ref().ok().cloned();
        let mut confirms = std::pin::pin!(confirms);
        let mut deadline = std::pin::pin!(tokio::time::sleep(CONFIRM_TIMEOUT));
        let mut check = tokio::time::interval(std::time::Duration::from_secs(1));
        let given_up = loop {
            tokio::select! {
                biased;
                done = &mut confirms => break Ok(done),
                () = &mut deadline => break Err(format!(
                    "no confirm within {} s",
                    CONFIRM_TIMEOUT.as_secs()
                )),
                _ = check.tick() => {
                    if channel.as_ref().is_some_and(|c| !c.status().connected()) {
                        break Err("the channel closed before its confirms came".to_owned());
                    }
                }
            }
        };
        let confirms = given_up.unwrap_or_else(|why| {
            (0..count)
                .map(|_| Err(PublishError::Unavailable(why.clone())))
                .collect()
        });
        let returned: HashSet<usize> = confirms
            .iter()
            .filter_map(|c| match c {
                Ok(Confirmation::Ack(Some(m)) | Confirmation::Nack(Some(m))) => publish_tag(m),
                _ => None,
            })
            .collect();
        let mut broken = false;
        let routes = std::mem::take(&mut self.routes);
        let results = confirms
            .into_iter()
            .zip(routes)
            .enumerate()
            .map(|(i, (confirm, (exchange, routing_key)))| {
                let result = match confirm {
                    Ok(Confirmation::Ack(_)) if returned.contains(&i) => {
                        Err(PublishError::Unroutable {
                            exchange: exchange.clone(),
                            routing_key,
                        })
                    }
                    Ok(Confirmation::Ack(_)) => Ok(()),
                    Ok(Confirmation::Nack(_)) => Err(PublishError::Nacked),
                    // Without confirms we would know nothing: treat as a failure.
                    Ok(Confirmation::NotRequested) => {
                        broken = true;
                        Err(PublishError::Unavailable("confirms not enabled".into()))
                    }
                    Err(err) => {
                        broken = true;
                        Err(err)
                    }
                };
                count_published(&exchange, &result);
                result
            })
            .collect();
        let channel = std::mem::replace(
            &mut self.channel,
            Err(PublishError::Unavailable("waited".into())),
        );
        if let Ok(channel) = channel {
            if broken || !channel.status().connected() {
                close(channel);
            } else {
                self.publisher.idle().push(channel);
            }
        }
        results
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        let channel = std::mem::replace(
            &mut self.channel,
            Err(PublishError::Unavailable("dropped".into())),
        );
        match channel {
            Ok(channel) if self.pending.is_empty() => self.publisher.idle().push(channel),
            // Unwaited confirms would reach the next batch on this channel: it goes.
            Ok(channel) => close(channel),
            Err(_) => {}
        }
    }
}

fn close(channel: Channel) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let _ = channel.close(200, "discarded".into()).await;
        });
    }
}

fn publish_tag(returned: &BasicReturnMessage) -> Option<usize> {
    tag_of(&returned.delivery.properties).and_then(|tag| usize::try_from(tag).ok())
}

/// The [`PUBLISH_TAG`] of a message's properties.
pub(crate) fn tag_of(properties: &BasicProperties) -> Option<u64> {
    let headers = properties.headers().as_ref()?;
    match headers.inner().get(&ShortString::from(PUBLISH_TAG))? {
        AMQPValue::LongString(tag) => std::str::from_utf8(tag.as_bytes()).ok()?.parse().ok(),
        _ => None,
    }
}

/// `messages_published_total{exchange, outcome}`: one per message handed to the broker.
/// Moves to a retry or dead-letter queue go through the default exchange (`default`).
pub(crate) fn count_published(exchange: &str, result: &Result<(), PublishError>) {
    let outcome = match result {
        Ok(()) => "confirmed",
        Err(PublishError::Unroutable { .. }) => "unroutable",
        Err(PublishError::Nacked) => "nacked",
        Err(PublishError::Unavailable(_)) => "unavailable",
    };
    published::counter(exchange, outcome, |c| c.increment(1));
}

/// The counters of `messages_published_total`, kept per thread (see
/// [`navsync_platform::kept_handles`]): looking one up built and hashed its label set for
/// every message. The set is bounded: the exchanges a service publishes to, four outcomes.
mod published {
    use metrics::Counter;
    use navsync_platform::kept_handles::Kept;

    thread_local! {
        static KEPT: Kept<(String, &'static str), Counter> = const { Kept::new(64) };
    }

    pub(super) fn counter(exchange: &str, outcome: &'static str, use_it: impl FnOnce(&Counter)) {
        KEPT.with(|kept| {
            kept.with(
                |(e, o)| *o == outcome && e == exchange,
                || {
                    let label = if exchange.is_empty() {
                        "default"
                    } else {
                        exchange
                    };
                    let counter = metrics::counter!(
                        "messages_published_total",
                        "exchange" => label.to_owned(),
                        "outcome" => outcome
                    );
                    ((exchange.to_owned(), outcome), counter)
                },
                use_it,
            );
        });
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

pub(crate) fn properties(message: &OutgoingMessage, tag: u64) -> BasicProperties {
    let mut headers = FieldTable::default();
    for (key, value) in &message.headers {
        headers.insert(
            ShortString::from(key.as_str()),
            AMQPValue::LongString(LongString::from(value.as_bytes().to_vec())),
        );
    }
    headers.insert(
        ShortString::from(PUBLISH_TAG),
        AMQPValue::LongString(LongString::from(tag.to_string().into_bytes())),
    );
    // Every message carries the trace it was published in, unless the caller chose one.
    if !message
        .headers
        .iter()
        .any(|(key, _)| key == crate::headers::TRACEPARENT)
        && let Some(traceparent) = navsync_platform::telemetry::current_traceparent()
    {
        headers.insert(
            ShortString::from(crate::headers::TRACEPARENT),
            AMQPValue::LongString(LongString::from(traceparent.into_bytes())),
        );
    }
    let properties = BasicProperties::default()
        .with_message_id(message.message_id.as_str().into())
        .with_content_type(message.content_type.as_str().into())
        .with_delivery_mode(2)
        .with_headers(headers);
    match message.expiration {
        // AMQP carries it as a decimal string of milliseconds.
        Some(ttl) => properties.with_expiration(ttl.as_millis().to_string().as_str().into()),
        None => properties,
    }
}
