//! Many callers publishing one message each (the webhook ingress: one per request) hand
//! their message to one task on their own runtime's thread (an actix worker's), which owns
//! an AMQP connection of its own: whatever queued meanwhile leaves in one write, and the
//! confirms are read on the same thread. lapin reads and writes each connection on a
//! thread of its own, and handing every batch to it and every confirm back cost the
//! ingress a third of its CPU per webhook in wake-ups and context switches
//! (docs/benchmarks.md); so this one path speaks AMQP itself, with lapin's own codec
//! (amq-protocol) for the frames. Everything else (topology, consumers, the outbox relays'
//! [`crate::Publisher`]) stays on lapin.
//!
//! The guarantees are the [`crate::Publisher`]'s: every message is `mandatory` and
//! persistent, and a caller hears `Ok` only once the broker confirmed it; unroutable,
//! nacked and lost messages are errors of their own caller only.

mod link;
mod unconfirmed;

use std::time::{Duration, Instant};

use amq_protocol::frame::AMQPFrame;
use amq_protocol::protocol::{AMQPClass, basic, channel, confirm, connection};
use tokio::sync::{mpsc, oneshot};

use crate::{OutgoingMessage, PublishError};
pub(crate) use link::Target;
use link::{CHANNEL, Link, LinkError, describe};
use unconfirmed::Unconfirmed;

/// Messages taken from the queue into one write at most.
const BATCH: usize = 256;

/// Messages waiting for their confirm at most; beyond, callers wait in the queue (and it
/// fills, pushing back on them) until confirms come.
const MAX_UNCONFIRMED: usize = 4096;

/// How long connecting may take, and a confirm; both far beyond any caller's timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(60);

/// After a failed connection attempt, callers are answered at once (unavailable) for this
/// long, doubling up to [`BACKOFF_MAX`] while attempts keep failing: a broker that is down
/// is not asked again for every webhook.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

type Request = (OutgoingMessage, oneshot::Sender<Result<(), PublishError>>);

#[derive(Clone)]
pub struct Coalescer {
    requests: mpsc::Sender<Request>,
}

impl Coalescer {
    /// Starts the publishing task on the current runtime, with its own connection to
    /// `broker` (made on the first publish, and made again after it broke). The task ends
    /// when every clone of the coalescer is dropped and the last confirm came.
    pub fn start(broker: &crate::Broker) -> Self {
        let (requests, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(run(broker.target(), receiver));
        Self { requests }
    }

    /// Publishes `message`; `Ok` once the broker confirmed it, as [`crate::Publisher::publish`].
    pub async fn publish(&self, message: OutgoingMessage) -> Result<(), PublishError> {
        let (answer, answered) = oneshot::channel();
        self.requests
            .send((message, answer))
            .await
            .map_err(|_| PublishError::Unavailable("the publishing task has stopped".into()))?;
        answered
            .await
            .map_err(|_| PublishError::Unavailable("the publishing task has stopped".into()))?
    }
}

async fn run(target: Target, mut requests: mpsc::Receiver<Request>) {
    let mut backoff = BACKOFF_MIN;
    let mut retry_at: Option<Instant> = None;
    while let Some(first) = requests.recv().await {
        if retry_at.is_some_and(|at| Instant::now() < at) {
            refuse(
                first,
                &mut requests,
                "RabbitMQ is unreachable; not retried yet",
            );
            continue;
        }
        let link = match tokio::time::timeout(CONNECT_TIMEOUT, Link::open(&target)).await {
            Ok(Ok(link)) => link,
            failed => {
                let why = match failed {
                    Ok(Err(err)) => err.to_string(),
                    _ => format!("no connection within {} s", CONNECT_TIMEOUT.as_secs()),
                };
                tracing::warn!(connection = %target.name, error = %why, "cannot connect to RabbitMQ");
                refuse(first, &mut requests, &why);
                retry_at = Some(Instant::now() + backoff);
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        tracing::info!(connection = %target.name, "connected to RabbitMQ");
        (backoff, retry_at) = (BACKOFF_MIN, None);
        match serve(link, first, &mut requests).await {
            Ok(()) => return,
            Err(err) => {
                tracing::warn!(connection = %target.name, error = %err, "lost the connection to RabbitMQ; reconnecting on the next publish");
            }
        }
    }
}

/// Answers `first` and every request already queued: not published.
fn refuse(first: Request, requests: &mut mpsc::Receiver<Request>, why: &str) {
    let mut next = Some(first);
    while let Some((_, answer)) = next {
        let _ = answer.send(Err(PublishError::Unavailable(why.to_owned())));
        next = requests.try_recv().ok();
    }
}

/// Publishes on `link` until every sender is gone and every confirm came (`Ok`), or the
/// link breaks (every publish waiting on it failed).
async fn serve(
    mut link: Link,
    first: Request,
    requests: &mut mpsc::Receiver<Request>,
) -> Result<(), LinkError> {
    let mut unconfirmed = Unconfirmed::default();
    let served = serve_on(&mut link, &mut unconfirmed, first, requests).await;
    match served {
        Ok(()) => {
            link.close().await;
            Ok(())
        }
        Err(err) => {
            unconfirmed.fail_all(&err.to_string());
            Err(err)
        }
    }
}

async fn serve_on(
    link: &mut Link,
    unconfirmed: &mut Unconfirmed,
    first: Request,
    requests: &mut mpsc::Receiver<Request>,
) -> Result<(), LinkError> {
    let mut next = Some(first);
    let mut open = true;
    let mut tick = tokio::time::interval(link.tick_period());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // Whatever queued meanwhile goes into the same write.
        let mut taken = 0;
        while let Some((message, answer)) = next.take() {
            let properties = crate::publisher::properties(&message, unconfirmed.next_tag());
            link.writer.publish(&message, properties)?;
            unconfirmed.push(message.exchange, message.routing_key, answer);
            taken += 1;
            if taken < BATCH && unconfirmed.len() < MAX_UNCONFIRMED {
                next = requests.try_recv().ok();
            }
        }
        if !open && unconfirmed.is_empty() && !link.has_output() {
            return Ok(());
        }
        tokio::select! {
            // Writing first: frames leave as soon as the socket takes them. The clock
            // before reading and taking requests, which a steady load keeps ready.
            biased;
            written = link.writer.write_some(), if link.has_output() => written?,
            _ = tick.tick() => {
                let now = Instant::now();
                link.keep_alive(now)?;
                if unconfirmed.oldest().is_some_and(|sent| now.duration_since(sent) > CONFIRM_TIMEOUT) {
                    return Err(LinkError::Closed(format!(
                        "no confirm within {} s",
                        CONFIRM_TIMEOUT.as_secs()
                    )));
                }
            }
            read = link.reader.read_some() => {
                read?;
                while let Some(frame) = link.next_frame()? {
                    handle(link, unconfirmed, frame)?;
                }
            }
            request = requests.recv(), if open && unconfirmed.len() < MAX_UNCONFIRMED => {
                match request {
                    Some(request) => next = Some(request),
                    None => open = false,
                }
            }
        }
    }
}

/// Settles confirms, notes returns, and answers what the broker asks of us.
fn handle(
    link: &mut Link,
    unconfirmed: &mut Unconfirmed,
    frame: AMQPFrame,
) -> Result<(), LinkError> {
    match frame {
        AMQPFrame::Method(CHANNEL, AMQPClass::Basic(basic::AMQPMethod::Ack(ack))) => {
            unconfirmed.settle(ack.delivery_tag, ack.multiple, true);
        }
        AMQPFrame::Method(CHANNEL, AMQPClass::Basic(basic::AMQPMethod::Nack(nack))) => {
            unconfirmed.settle(nack.delivery_tag, nack.multiple, false);
        }
        // A returned message's content header carries our publish tag (the message's
        // delivery tag); its body is not needed.
        AMQPFrame::Method(CHANNEL, AMQPClass::Basic(basic::AMQPMethod::Return(_)))
        | AMQPFrame::Body(CHANNEL, _)
        | AMQPFrame::Heartbeat => {}
        AMQPFrame::Header(CHANNEL, header) => {
            if let Some(tag) = crate::publisher::tag_of(&header.properties) {
                unconfirmed.returned(tag);
            }
        }
        // The channel is closed by the broker (say, NOT_FOUND: the exchange is missing):
        // what waited on it failed, and a new one is opened at once in its place.
        AMQPFrame::Method(CHANNEL, AMQPClass::Channel(channel::AMQPMethod::Close(close))) => {
            tracing::warn!(reply_code = close.reply_code, reason = %close.reply_text, "RabbitMQ closed the publishing channel");
            unconfirmed.fail_all(&format!(
                "RabbitMQ closed the channel: {}",
                close.reply_text
            ));
            link.push(&AMQPFrame::Method(
                CHANNEL,
                AMQPClass::Channel(channel::AMQPMethod::CloseOk(channel::CloseOk {})),
            ))?;
            link.open_channel()?;
        }
        AMQPFrame::Method(
            CHANNEL,
            AMQPClass::Channel(channel::AMQPMethod::OpenOk(_))
            | AMQPClass::Confirm(confirm::AMQPMethod::SelectOk(_)),
        ) => {}
        AMQPFrame::Method(0, AMQPClass::Connection(connection::AMQPMethod::Close(close))) => {
            let _ = link.push(&AMQPFrame::Method(
                0,
                AMQPClass::Connection(connection::AMQPMethod::CloseOk(connection::CloseOk {})),
            ));
            return Err(LinkError::Closed(close.reply_text.to_string()));
        }
        // A resource alarm: the broker reads nothing until it clears, and callers time
        // out meanwhile (503, which ADO retries).
        AMQPFrame::Method(0, AMQPClass::Connection(connection::AMQPMethod::Blocked(blocked))) => {
            tracing::warn!(reason = %blocked.reason, "RabbitMQ blocked publishing");
        }
        AMQPFrame::Method(0, AMQPClass::Connection(connection::AMQPMethod::Unblocked(_))) => {
            tracing::info!("RabbitMQ unblocked publishing");
        }
        other => return Err(LinkError::Protocol(describe(&other))),
    }
    Ok(())
}
