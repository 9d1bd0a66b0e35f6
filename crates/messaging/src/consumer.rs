//! Consuming a queue: bounded prefetch, handlers run concurrently up to it, and every
//! delivery ends in exactly one deliberate act — ack, a move to the next retry queue, or
//! a move to the dead-letter queue with the reason in its headers. A move is published
//! with a confirm before the original is acked, so a crash in between duplicates a message
//! and never loses one. A handler that panics dead-letters its message and the consumer
//! carries on with the next.
//!
//! A retry is delayed by its step of the retry ladder with jitter
//! ([`topology::retry_expiration`]), so messages that failed together do not all come
//! back together.
//!
//! After a lost connection the consumer re-declares its queue and resumes with backoff;
//! the broker redelivers what was unacked, so handlers must be idempotent.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::message::{header_string, header_u32, headers};
use crate::{
    Broker, BrokerError, IncomingMessage, Outcome, OutgoingMessage, Publisher, QueueSpec, topology,
};

#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    pub spec: QueueSpec,
    /// Unacked deliveries at once; also the handler concurrency. Never 1 on a hot path
    /// (CRATES.md: prefetch 1 caps a consumer at a few thousand messages a second).
    pub prefetch: u16,
    pub consumer_tag: String,
}

/// Runs until `shutdown` is cancelled, reconnecting with backoff after failures. On
/// shutdown it stops taking deliveries, lets in-flight handlers finish and closes its
/// channel, so anything unacked returns to the queue.
pub async fn run_consumer<H, Fut>(
    broker: Arc<Broker>,
    config: ConsumerConfig,
    handler: H,
    shutdown: CancellationToken,
) where
    H: Fn(IncomingMessage) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let publisher = Publisher::new(broker.clone());
    let handler = Arc::new(handler);
    tokio::spawn(crate::depth::watch_dead_letters(
        broker.clone(),
        config.spec.clone(),
        shutdown.clone(),
    ));
    let mut backoff = Duration::from_millis(100);
    while !shutdown.is_cancelled() {
        match consume(&broker, &config, handler.clone(), &publisher, &shutdown).await {
            Ok(()) => break,
            Err(err) => {
                tracing::warn!(queue = %config.spec.name, error = %err, "consumer lost its channel; reconnecting");
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(15));
            }
        }
    }
    tracing::info!(queue = %config.spec.name, "consumer stopped");
}

async fn consume<H, Fut>(
    broker: &Arc<Broker>,
    config: &ConsumerConfig,
    handler: Arc<H>,
    publisher: &Publisher,
    shutdown: &CancellationToken,
) -> Result<(), BrokerError>
where
    H: Fn(IncomingMessage) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let channel = broker.channel().await?;
    topology::declare_queue(&channel, &config.spec).await?;
    // Per-consumer prefetch: quorum queues refuse a global one.
    channel
        .basic_qos(config.prefetch, BasicQosOptions { global: false })
        .await?;
    let consumer = channel
        .basic_consume(
            config.spec.name.as_str().into(),
            config.consumer_tag.as_str().into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    tracing::info!(queue = %config.spec.name, prefetch = config.prefetch, "consuming");
    let failed = std::sync::atomic::AtomicBool::new(false);
    consumer
        .take_until(shutdown.cancelled())
        .for_each_concurrent(usize::from(config.prefetch.max(1)), |delivery| {
            let handler = handler.clone();
            let failed = &failed;
            async move {
                match delivery {
                    Ok(delivery) => {
                        settle(delivery, &config.spec, handler.as_ref(), publisher).await
                    }
                    Err(err) => {
                        tracing::warn!(queue = %config.spec.name, error = %err, "delivery error");
                        failed.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
        })
        .await;
    if shutdown.is_cancelled() {
        let _ = channel.close(200, "consumer stopping".into()).await;
        return Ok(());
    }
    let _ = failed;
    Err(BrokerError::Unavailable(
        "the consumer's channel closed".into(),
    ))
}

pub(crate) fn incoming(delivery: &Delivery) -> IncomingMessage {
    let headers = delivery.properties.headers().clone().unwrap_or_default();
    IncomingMessage {
        exchange: header_string(&headers, headers::ORIGINAL_EXCHANGE)
            .unwrap_or_else(|| delivery.exchange.to_string()),
        routing_key: header_string(&headers, headers::ORIGINAL_ROUTING_KEY)
            .unwrap_or_else(|| delivery.routing_key.to_string()),
        message_id: delivery
            .properties
            .message_id()
            .as_ref()
            .map(|m| m.to_string()),
        body: delivery.data.clone(),
        redelivered: delivery.redelivered,
        retry_count: header_u32(&headers, headers::RETRY_COUNT).unwrap_or(0),
        headers,
    }
}

async fn settle<H, Fut>(delivery: Delivery, spec: &QueueSpec, handler: &H, publisher: &Publisher)
where
    H: Fn(IncomingMessage) -> Fut + Send + Sync,
    Fut: Future<Output = Outcome> + Send,
{
    let message = incoming(&delivery);
    // The handler, and the ack or move, run in a span continuing the publisher's trace.
    let span = crate::trace::consume_span(&message, spec.name.as_str());
    settle_in_span(delivery, message, spec, handler, publisher)
        .instrument(span)
        .await
}

async fn settle_in_span<H, Fut>(
    delivery: Delivery,
    message: IncomingMessage,
    spec: &QueueSpec,
    handler: &H,
    publisher: &Publisher,
) where
    H: Fn(IncomingMessage) -> Fut + Send + Sync,
    Fut: Future<Output = Outcome> + Send,
{
    let outcome = AssertUnwindSafe(handler(message.clone()))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Outcome::dead_letter("the handler panicked"));
    let queue = spec.name.as_str();
    if spec.exclusive && outcome != Outcome::Ack {
        // No retry or dead-letter queue exists for a private queue: drop it, loudly.
        metrics::counter!("messages_consumed_total", "queue" => spec.metric_label().to_owned(), "outcome" => "dropped")
            .increment(1);
        tracing::warn!(queue, message_id = ?message.message_id, outcome = ?outcome, "message dropped from an exclusive queue");
        let _ = delivery
            .acker
            .nack(BasicNackOptions {
                multiple: false,
                requeue: false,
            })
            .await;
        return;
    }
    let (label, moved) = match &outcome {
        Outcome::Ack => ("ack", Ok(())),
        Outcome::Retry { reason } => match spec.retry_queue(message.retry_count) {
            Some(retry_queue) => {
                tracing::info!(queue, message_id = ?message.message_id, retry = message.retry_count + 1, reason = %reason, "message comes back later");
                let mut extra = vec![
                    (
                        headers::RETRY_COUNT,
                        AMQPValue::LongUInt(message.retry_count + 1),
                    ),
                    (headers::RETRY_REASON, text(reason)),
                ];
                extra.extend(origin(&message));
                let expiration = spec
                    .retry_delay(message.retry_count)
                    .map(topology::retry_expiration);
                (
                    "retry",
                    move_to(publisher, &retry_queue, &message, extra, expiration).await,
                )
            }
            None => {
                let why = format!(
                    "retries exhausted after {} attempts: {reason}",
                    message.retry_count
                );
                let mut extra = vec![(headers::DEAD_LETTER_REASON, text(&why))];
                extra.extend(origin(&message));
                (
                    "dead_letter",
                    move_to(publisher, &spec.dead_letter_queue(), &message, extra, None).await,
                )
            }
        },
        Outcome::DeadLetter { reason } => {
            let mut extra = vec![(headers::DEAD_LETTER_REASON, text(reason))];
            extra.extend(origin(&message));
            (
                "dead_letter",
                move_to(publisher, &spec.dead_letter_queue(), &message, extra, None).await,
            )
        }
    };
    metrics::counter!("messages_consumed_total", "queue" => spec.metric_label().to_owned(), "outcome" => label)
        .increment(1);
    match moved {
        Ok(()) => {
            if label == "dead_letter" {
                tracing::warn!(queue, message_id = ?message.message_id, outcome = ?outcome, "message dead-lettered");
            }
            if let Err(err) = delivery.acker.ack(BasicAckOptions::default()).await {
                tracing::warn!(queue, error = %err, "ack failed; the message will be redelivered");
            }
        }
        Err(err) => {
            // Could not park it elsewhere: hand it back so it is not lost.
            tracing::warn!(queue, error = %err, "could not move the message; requeueing it");
            let _ = delivery
                .acker
                .nack(BasicNackOptions {
                    multiple: false,
                    requeue: true,
                })
                .await;
        }
    }
}

fn text(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value.as_bytes().to_vec()))
}

/// Where the message first came from, kept across moves so handlers and operators see it.
fn origin(message: &IncomingMessage) -> Vec<(&'static str, AMQPValue)> {
    vec![
        (headers::ORIGINAL_EXCHANGE, text(&message.exchange)),
        (headers::ORIGINAL_ROUTING_KEY, text(&message.routing_key)),
    ]
}

async fn move_to(
    publisher: &Publisher,
    queue: &str,
    message: &IncomingMessage,
    extra: Vec<(&'static str, AMQPValue)>,
    expiration: Option<Duration>,
) -> Result<(), crate::PublishError> {
    let mut table = message.headers.clone();
    for (key, value) in extra {
        table.insert(ShortString::from(key), value);
    }
    let headers = table
        .inner()
        .iter()
        .filter_map(|(k, v)| match v {
            AMQPValue::LongString(s) => Some((k.to_string(), s.to_string())),
            AMQPValue::ShortString(s) => Some((k.to_string(), s.to_string())),
            AMQPValue::LongUInt(n) => Some((k.to_string(), n.to_string())),
            _ => None,
        })
        .collect();
    publisher
        .publish(&OutgoingMessage {
            exchange: String::new(),
            routing_key: queue.to_owned(),
            message_id: message.message_id.clone().unwrap_or_default(),
            content_type: "application/cloudevents+json".to_owned(),
            body: message.body.clone(),
            headers,
            expiration,
        })
        .await
}
