//! Every exchange and queue navsync declares, with every option spelled out. Declaring is
//! idempotent, so every service declares what it uses at start and after reconnecting.
//!
//! For a consumer queue `q` bound to an exchange:
//! - `q`: a quorum queue (replicated, survives a node loss) with an explicit delivery limit
//!   (RabbitMQ 3.x has no default), so a message that crashes its consumer again and again
//!   is dead-lettered by the broker instead of looping for ever;
//! - `q.dlq`: the dead-letter queue; nothing leaves it but by an operator's re-drive;
//! - `q.retry.N`: one queue per step of the retry ladder, whose message TTL dead-letters
//!   back into `q` — delayed retry without the delayed-message plugin (native delayed
//!   retry came only in 4.3); a message moved there carries its own, shorter TTL for
//!   jitter ([`retry_expiration`]).
//!
//! Dead-lettering is `at-least-once` (which requires `x-overflow: reject-publish`), so a
//! message moved between queues is never lost in the move.
//!
//! An *exclusive* queue ([`QueueSpec::exclusive`]) is the other kind: one process's private
//! subscription to notifications it only needs while it runs (a cache invalidation, say).
//! It is a classic queue that the broker deletes with the connection, without dead-letter
//! or retry queues: a message its handler does not ack is dropped, with a warning.
//!
//! [`declare_navsync`] declares every exchange and durable queue of navsync at once.

use std::time::Duration;

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Channel, ExchangeKind};

use navsync_contracts::{exchange, queues, queues::QueueDef};

use crate::{Broker, BrokerError};

/// A consumer's queue and where its messages come from.
#[derive(Debug, Clone)]
pub struct QueueSpec {
    pub name: String,
    pub exchange: String,
    /// Routing keys (topic patterns) bound from `exchange`.
    pub bindings: Vec<String>,
    /// The retry ladder: the delay before each successive retry.
    pub retry_delays: Vec<Duration>,
    /// Deliveries (including redeliveries after a consumer died) before the broker
    /// dead-letters a message on its own.
    pub delivery_limit: u32,
    /// Private to this connection and gone with it; no retry or dead-letter queues.
    pub exclusive: bool,
    /// The `queue` label of its metrics when not its name (see [`QueueSpec::counted_as`]).
    pub metric_label: Option<String>,
}

impl From<QueueDef> for QueueSpec {
    fn from(def: QueueDef) -> Self {
        Self::new(def.name, def.exchange, def.bindings)
    }
}

impl QueueSpec {
    pub fn new(name: impl Into<String>, exchange: impl Into<String>, bindings: &[&str]) -> Self {
        Self {
            name: name.into(),
            exchange: exchange.into(),
            bindings: bindings.iter().map(|b| (*b).to_owned()).collect(),
            retry_delays: vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_secs(30),
                Duration::from_secs(120),
                Duration::from_secs(600),
            ],
            delivery_limit: 10,
            exclusive: false,
            metric_label: None,
        }
    }

    /// An exclusive, auto-deleted queue (see the module doc); `name` should be unique to
    /// the process, since a second connection cannot declare the same exclusive queue.
    pub fn exclusive(
        name: impl Into<String>,
        exchange: impl Into<String>,
        bindings: &[&str],
    ) -> Self {
        Self {
            retry_delays: Vec::new(),
            exclusive: true,
            ..Self::new(name, exchange, bindings)
        }
    }

    /// Counts its deliveries under `label` rather than its name: a private queue is named
    /// at random per process, and a `queue` label per start would add series for ever.
    pub fn counted_as(mut self, label: impl Into<String>) -> Self {
        self.metric_label = Some(label.into());
        self
    }

    /// The `queue` label of its metrics.
    pub fn metric_label(&self) -> &str {
        self.metric_label.as_deref().unwrap_or(&self.name)
    }

    pub fn with_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.retry_delays = delays;
        self
    }

    pub fn dead_letter_queue(&self) -> String {
        format!("{}.dlq", self.name)
    }

    /// The delay of the `attempt`-th retry (0-based): its retry queue's TTL.
    pub fn retry_delay(&self, attempt: u32) -> Option<Duration> {
        self.retry_delays
            .get(usize::try_from(attempt).ok()?)
            .copied()
    }

    /// The retry queue for the `attempt`-th retry (0-based), or None past the ladder.
    pub fn retry_queue(&self, attempt: u32) -> Option<String> {
        let index = usize::try_from(attempt).ok()?;
        (index < self.retry_delays.len()).then(|| format!("{}.retry.{}", self.name, index + 1))
    }
}

/// The per-message TTL of a move to a retry queue whose TTL is `step`: uniform in
/// `[step / 2, step]` ("equal jitter"), so a ladder step still waits at least half its
/// delay while messages that failed together (a 503 burst) come back spread out.
///
/// Why a per-message `expiration` below the queue's TTL rather than a queue per jittered
/// delay: the queue TTL stays the upper bound and the topology stays one queue per step.
/// The price is that RabbitMQ expires messages only at the head of a queue: a message
/// behind one that expires later waits for it. It still never waits past `step` (every
/// message ahead of it came earlier and leaves at most `step` after it came), nor less
/// than its own TTL; only in a burst do the later messages bunch towards the longest TTL
/// drawn before them, so the spread is widest where failures are spread out in time.
pub fn retry_expiration(step: Duration) -> Duration {
    use rand::Rng;
    let millis = u64::try_from(step.as_millis()).unwrap_or(u64::MAX);
    if millis < 2 {
        return step;
    }
    Duration::from_millis(rand::thread_rng().gen_range(millis / 2..=millis))
}

fn string(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value.as_bytes().to_vec()))
}

fn args(pairs: Vec<(&str, AMQPValue)>) -> FieldTable {
    let mut table = FieldTable::default();
    for (key, value) in pairs {
        table.insert(ShortString::from(key), value);
    }
    table
}

fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    }
}

/// Declares topic exchanges, durable (they survive a broker restart) and not auto-deleted.
pub async fn declare_exchanges(channel: &Channel, names: &[&str]) -> Result<(), BrokerError> {
    for name in names {
        channel
            .exchange_declare(
                (*name).into(),
                ExchangeKind::Topic,
                ExchangeDeclareOptions {
                    durable: true,
                    ..ExchangeDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| BrokerError::Topology(format!("exchange {name}: {e}")))?;
    }
    Ok(())
}

/// Every exchange and durable queue navsync uses (`contracts::queues::ALL`), so that a
/// first publish is never unroutable because its consumer has not started yet: events
/// wait in their queue instead. Every service calls it at start.
pub async fn declare_navsync(broker: &Broker) -> Result<(), BrokerError> {
    let channel = broker.channel().await?;
    declare_exchanges(&channel, &exchange::ALL).await?;
    for def in queues::ALL {
        declare_queue(&channel, &QueueSpec::from(def)).await?;
    }
    let _ = channel.close(200, "declared".into()).await;
    Ok(())
}

/// Declares `spec`'s queue, its dead-letter queue and its retry ladder, and binds it.
pub async fn declare_queue(channel: &Channel, spec: &QueueSpec) -> Result<(), BrokerError> {
    declare_exchanges(channel, &[spec.exchange.as_str()]).await?;
    if spec.exclusive {
        return declare_exclusive(channel, spec).await;
    }
    let dlq = spec.dead_letter_queue();
    let declare = |name: String, table: FieldTable| async move {
        channel
            .queue_declare(name.as_str().into(), durable(), table)
            .await
            .map(|_| ())
            .map_err(|e| BrokerError::Topology(format!("queue {name}: {e}")))
    };
    declare(dlq.clone(), args(vec![("x-queue-type", string("quorum"))])).await?;
    declare(
        spec.name.clone(),
        args(vec![
            ("x-queue-type", string("quorum")),
            (
                "x-delivery-limit",
                AMQPValue::LongInt(i32::try_from(spec.delivery_limit).unwrap_or(i32::MAX)),
            ),
            // The default exchange routes by queue name.
            ("x-dead-letter-exchange", string("")),
            ("x-dead-letter-routing-key", string(&dlq)),
            ("x-dead-letter-strategy", string("at-least-once")),
            ("x-overflow", string("reject-publish")),
        ]),
    )
    .await?;
    for (attempt, delay) in spec.retry_delays.iter().enumerate() {
        let name = format!("{}.retry.{}", spec.name, attempt + 1);
        let ttl = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
        declare(
            name,
            args(vec![
                ("x-queue-type", string("quorum")),
                ("x-message-ttl", AMQPValue::LongLongInt(ttl)),
                ("x-dead-letter-exchange", string("")),
                ("x-dead-letter-routing-key", string(&spec.name)),
                ("x-dead-letter-strategy", string("at-least-once")),
                ("x-overflow", string("reject-publish")),
            ]),
        )
        .await?;
    }
    bind(channel, spec).await
}

/// A classic queue, `exclusive` (this connection only) and `auto_delete`, not durable:
/// it lives exactly as long as its consumer's connection.
async fn declare_exclusive(channel: &Channel, spec: &QueueSpec) -> Result<(), BrokerError> {
    let options = QueueDeclareOptions {
        durable: false,
        exclusive: true,
        auto_delete: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(spec.name.as_str().into(), options, FieldTable::default())
        .await
        .map_err(|e| BrokerError::Topology(format!("queue {}: {e}", spec.name)))?;
    bind(channel, spec).await
}

async fn bind(channel: &Channel, spec: &QueueSpec) -> Result<(), BrokerError> {
    for key in &spec.bindings {
        channel
            .queue_bind(
                spec.name.as_str().into(),
                spec.exchange.as_str().into(),
                key.as_str().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| BrokerError::Topology(format!("binding {key}: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_ladder_names_one_queue_per_step_then_stops() {
        let spec = QueueSpec::new("q", "x", &["a.#"])
            .with_retry_delays(vec![Duration::from_secs(1), Duration::from_secs(2)]);
        assert_eq!(spec.retry_queue(0).as_deref(), Some("q.retry.1"));
        assert_eq!(spec.retry_queue(1).as_deref(), Some("q.retry.2"));
        assert_eq!(spec.retry_queue(2), None);
        assert_eq!(spec.dead_letter_queue(), "q.dlq");
    }

    #[test]
    fn a_retry_waits_between_half_its_step_and_the_whole_step_and_not_always_the_same() {
        let step = Duration::from_secs(30);
        let drawn: Vec<Duration> = (0..200).map(|_| retry_expiration(step)).collect();
        assert!(
            drawn
                .iter()
                .all(|d| *d >= Duration::from_secs(15) && *d <= step),
            "{drawn:?}"
        );
        let distinct: std::collections::HashSet<_> = drawn.iter().collect();
        assert!(
            distinct.len() > 100,
            "jittered, not fixed: {}",
            distinct.len()
        );
        assert_eq!(retry_expiration(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn each_retry_has_the_delay_of_its_step() {
        let spec = QueueSpec::new("q", "x", &["a.#"])
            .with_retry_delays(vec![Duration::from_secs(1), Duration::from_secs(5)]);
        assert_eq!(spec.retry_delay(0), Some(Duration::from_secs(1)));
        assert_eq!(spec.retry_delay(1), Some(Duration::from_secs(5)));
        assert_eq!(spec.retry_delay(2), None);
    }

    #[test]
    fn an_exclusive_queue_has_no_retry_ladder() {
        let spec = QueueSpec::exclusive("mine.1", "x", &["a.#"]);
        assert!(spec.exclusive);
        assert_eq!(spec.retry_queue(0), None);
        let durable = QueueSpec::from(queues::ADO_SYNC_ADO_INBOUND);
        assert!(!durable.exclusive);
        assert_eq!(durable.name, "ado-sync.ado-inbound");
        assert_eq!(durable.bindings, vec!["ado.work_item.#".to_owned()]);
    }
}
