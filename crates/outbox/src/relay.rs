//! The outbox relay: publishes committed outbox rows in batches with broker confirms, then
//! deletes them. While the broker is away rows simply wait; nothing is lost.
//!
//! Order: only one relay publishes at a time (a transaction-scoped advisory lock; the
//! others wait their turn), rows leave in `seq` order, and a batch is removed only up to
//! its first failure. So the events of one action item leave in version order,
//! and a failure can only cause a later duplicate, never a gap or an inversion.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use navsync_messaging::{Broker, OutgoingMessage, Publisher, topology};
use navsync_platform::db::Pool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::table::{OutboxTable, PendingRow};

/// Chunks of `batch_size` rows per relay pass.
pub const CHUNKS: usize = 8;

fn message(row: &PendingRow) -> OutgoingMessage {
    OutgoingMessage::cloud_event(
        row.exchange.clone(),
        row.routing_key.clone(),
        row.event_id.to_string(),
        row.body.clone(),
        row.traceparent.clone(),
    )
}

/// The message of `row` and its publish span (`crate::trace`): the span is the message's
/// `traceparent`, and ends when the span is dropped after the confirm.
fn traced_message(row: &PendingRow) -> (OutgoingMessage, Option<tracing::Span>) {
    let mut message = message(row);
    let span = crate::trace::publish_span(row);
    if let Some(traceparent) = span
        .as_ref()
        .and_then(navsync_platform::trace_context::traceparent_of)
    {
        message.headers = vec![(
            navsync_messaging::headers::TRACEPARENT.to_owned(),
            traceparent,
        )];
    }
    (message, span)
}

/// The advisory lock that makes one relay of `schema` publish at a time, across replicas:
/// a fixed prefix ("navsob") and a hash of the schema, so services sharing a database do
/// not wait for each other.
fn relay_lock(schema: &str) -> i64 {
    let hash = schema.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (0x6e61_7673_6f62_i64 << 16) ^ i64::from(hash & 0xffff)
}

pub struct Relay {
    pub table: OutboxTable,
    pub pool: Pool,
    pub broker: Arc<Broker>,
    pub wake: Arc<Notify>,
    pub batch_size: i64,
    /// How long an idle relay sleeps when nobody wakes it (other replicas' writes).
    pub idle_poll: Duration,
}

/// What one pass achieved.
#[derive(Debug, Default)]
pub struct Pass {
    pub published: usize,
    pub failure: Option<String>,
    /// Another relay held the lock.
    pub busy: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("database: {0}")]
    Database(String),
}

impl From<diesel::result::Error> for RelayError {
    fn from(e: diesel::result::Error) -> Self {
        RelayError::Database(e.to_string())
    }
}

/// Every exchange and durable queue navsync uses, so a first publish is never unroutable
/// because a consumer has not started yet ([`topology::declare_navsync`]).
pub async fn declare_topology(broker: &Broker) -> Result<(), String> {
    topology::declare_navsync(broker)
        .await
        .map_err(|e| e.to_string())
}

impl Relay {
    pub async fn run(self, shutdown: CancellationToken) {
        let publisher = Publisher::new(self.broker.clone());
        let mut declared = false;
        let mut backoff = Duration::from_millis(100);
        let mut last_gauge = Instant::now() - Duration::from_secs(60);
        while !shutdown.is_cancelled() {
            if last_gauge.elapsed() >= Duration::from_secs(5) {
                last_gauge = Instant::now();
                self.record_backlog().await;
            }
            if !declared {
                match declare_topology(&self.broker).await {
                    Ok(()) => declared = true,
                    Err(err) => {
                        tracing::warn!(error = %err, "outbox relay: cannot declare the topology yet");
                        if sleep_or_stop(&shutdown, backoff).await {
                            break;
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        continue;
                    }
                }
            }
            let pass = self.pass(&publisher).await;
            match pass {
                Ok(pass) if pass.failure.is_none() => {
                    backoff = Duration::from_millis(100);
                    if pass.published as i64 >= self.batch_size * CHUNKS as i64 {
                        continue;
                    }
                    let wait = if pass.busy {
                        Duration::from_millis(20)
                    } else {
                        self.idle_poll
                    };
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = self.wake.notified() => {}
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
                Ok(pass) => {
                    tracing::warn!(
                        published = pass.published,
                        error = pass.failure.as_deref().unwrap_or_default(),
                        "outbox relay: publishing failed; the rest waits"
                    );
                    if sleep_or_stop(&shutdown, backoff).await {
                        break;
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
                Err(err) => {
                    tracing::warn!(error = %err, "outbox relay: database unavailable");
                    if sleep_or_stop(&shutdown, backoff).await {
                        break;
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
        tracing::info!("outbox relay stopped");
    }

    /// `outbox_backlog` and `outbox_oldest_age_seconds`, for the "outbox is stuck" alert.
    async fn record_backlog(&self) {
        let Ok(mut conn) = self.pool.get().await else {
            return;
        };
        if let Ok((count, oldest)) = self.table.backlog(&mut conn).await {
            metrics::gauge!("outbox_backlog").set(count as f64);
            let age = oldest
                .map(|t| (chrono::Utc::now() - t).num_milliseconds() as f64 / 1000.0)
                .unwrap_or(0.0);
            metrics::gauge!("outbox_oldest_age_seconds").set(age.max(0.0));
        }
    }

    /// One pass: lock, publish, delete what was confirmed. Public so tests and benchmarks can drive it.
    pub async fn pass(&self, publisher: &Publisher) -> Result<Pass, RelayError> {
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| RelayError::Database(e.to_string()))?;
        let started = Instant::now();
        let batch_size = self.batch_size;
        let pass = conn
            .transaction(async |conn| {
                // Losing the deletions of this transaction in a crash only republishes its
                // rows (consumers deduplicate), so it need not wait for the WAL flush.
                diesel::sql_query("SET LOCAL synchronous_commit = off")
                    .execute(conn)
                    .await?;
                if !try_lock(conn, relay_lock(self.table.schema())).await? {
                    return Ok::<_, RelayError>(Pass {
                        busy: true,
                        ..Pass::default()
                    });
                }
                // Up to CHUNKS chunks per pass: the next chunk is read while the broker
                // confirms the previous one.
                let mut rows = Vec::new();
                // One batch, so one channel: the chunks leave in order.
                let mut sent = publisher.batch().await;
                // Held until the confirms are in, so each span covers its publish.
                let mut spans = Vec::new();
                for _ in 0..CHUNKS {
                    let after = rows.last().map_or(0, |r: &PendingRow| r.seq);
                    let chunk = self.table.lock_unpublished(conn, after, batch_size).await?;
                    let full = chunk.len() as i64 == batch_size;
                    if chunk.is_empty() {
                        break;
                    }
                    let (messages, chunk_spans): (Vec<OutgoingMessage>, Vec<_>) =
                        chunk.iter().map(traced_message).unzip();
                    spans.extend(chunk_spans);
                    sent.send(&messages).await;
                    rows.extend(chunk);
                    if !full {
                        break;
                    }
                }
                if rows.is_empty() {
                    return Ok(Pass::default());
                }
                let results = sent.wait().await;
                crate::trace::end_publish_spans(spans, &results);
                let confirmed = results.iter().take_while(|r| r.is_ok()).count();
                let failure = results
                    .iter()
                    .find_map(|r| r.as_ref().err())
                    .map(ToString::to_string);
                let seqs: Vec<i64> = rows[..confirmed].iter().map(|r| r.seq).collect();
                self.table.delete_published(conn, &seqs).await?;
                Ok(Pass {
                    published: confirmed,
                    failure,
                    busy: false,
                })
            })
            .await?;
        if pass.published > 0 {
            metrics::counter!("outbox_published_total").increment(pass.published as u64);
            metrics::histogram!("outbox_relay_batch_seconds")
                .record(started.elapsed().as_secs_f64());
        }
        Ok(pass)
    }
}

async fn try_lock(conn: &mut AsyncPgConnection, key: i64) -> Result<bool, RelayError> {
    #[derive(diesel::QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    let row: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<diesel::sql_types::BigInt, _>(key)
        .get_result(conn)
        .await?;
    Ok(row.locked)
}

/// Sleeps; true when shutdown came first.
async fn sleep_or_stop(shutdown: &CancellationToken, wait: Duration) -> bool {
    tokio::select! {
        _ = shutdown.cancelled() => true,
        _ = tokio::time::sleep(wait) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::relay_lock;

    #[test]
    fn each_schema_has_its_own_relay_lock() {
        assert_ne!(relay_lock("action_items"), relay_lock("integrations"));
        assert_eq!(relay_lock("integrations"), relay_lock("integrations"));
    }
}
