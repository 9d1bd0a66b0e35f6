//! `dead_letter_messages{queue}`: how many messages wait in a consumer's dead-letter queue,
//! read from the broker every [`EVERY`] by each running consumer (a passive declare, which
//! answers the count without touching the queue). The "dead letters are waiting" alert
//! reads this gauge rather than RabbitMQ's own Prometheus plugin, so it needs nothing but
//! navsync's `/metrics` and works on any broker (docs/metrics.md).

use std::sync::Arc;
use std::time::Duration;

use lapin::options::QueueDeclareOptions;
use lapin::types::FieldTable;
use tokio_util::sync::CancellationToken;

use crate::{Broker, QueueSpec};

/// How often the depth is read.
pub const EVERY: Duration = Duration::from_secs(15);

/// Registers the gauge at 0 for `spec`'s dead-letter queue, then keeps it current until
/// `shutdown`. A private (exclusive) queue has no dead-letter queue and is skipped.
pub async fn watch_dead_letters(broker: Arc<Broker>, spec: QueueSpec, shutdown: CancellationToken) {
    if spec.exclusive {
        return;
    }
    // The consumer's outcomes exist from the start, not only after a first delivery.
    for outcome in ["ack", "retry", "dead_letter"] {
        metrics::counter!("messages_consumed_total", "queue" => spec.name.clone(), "outcome" => outcome)
            .increment(0);
    }
    let queue = spec.dead_letter_queue();
    let gauge = metrics::gauge!("dead_letter_messages", "queue" => queue.clone());
    gauge.set(0.0);
    // The first read waits a period, so the consumer has declared the queue by then: a
    // passive declare of a missing queue makes the broker close the channel, which lapin
    // logs as an error.
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(EVERY) => {}
        }
        if let Some(count) = depth(&broker, &queue).await {
            gauge.set(f64::from(count));
        }
    }
}

/// The number of ready messages in `queue`; `None` when the broker cannot say (it is away,
/// or the queue is not declared yet: a passive declare of a missing queue closes only
/// this short-lived channel).
pub async fn depth(broker: &Broker, queue: &str) -> Option<u32> {
    let channel = broker.channel().await.ok()?;
    let declared = channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await;
    let count = declared.as_ref().ok().map(|q| q.message_count());
    if declared.is_ok() {
        let _ = channel.close(200, "depth read".into()).await;
    }
    count
}
