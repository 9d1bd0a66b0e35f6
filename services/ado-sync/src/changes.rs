//! Listens to `integration.changed.v1`: drops the cached integration it names (a new
//! project, type, mapping or PAT takes effect at once) and, when the integration works
//! again, wakes the resumer so parked work goes back to the queue now rather than at the
//! next poll.
//!
//! Every replica has its own exclusive, auto-deleted queue: each caches on its own and
//! must hear every change. What a replica misses while disconnected is covered by the
//! directory's TTL and the resumer's poll (`NAVSYNC_SYNC__DIRECTORY_TTL_MS`,
//! `NAVSYNC_SYNC__RESUME_INTERVAL_MS`).

use std::sync::Arc;

use navsync_contracts::{Event, decode, exchange, integration_status};
use navsync_messaging::{
    Broker, ConsumerConfig, IncomingMessage, Outcome, QueueSpec, run_consumer,
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::worker::Worker;

pub async fn run(
    broker: Arc<Broker>,
    worker: Arc<Worker>,
    resume: Arc<Notify>,
    shutdown: CancellationToken,
) {
    let name = format!("ado-sync.integrations.{}", uuid::Uuid::new_v4().simple());
    let config = ConsumerConfig {
        spec: QueueSpec::exclusive(&name, exchange::INTEGRATIONS, &["integration.#"])
            .counted_as("ado-sync.integrations"),
        prefetch: 50,
        consumer_tag: name.clone(),
    };
    run_consumer(
        broker,
        config,
        move |message| handle(worker.clone(), resume.clone(), message),
        shutdown,
    )
    .await;
}

async fn handle(worker: Arc<Worker>, resume: Arc<Notify>, message: IncomingMessage) -> Outcome {
    match decode(&message.body) {
        Ok(envelope) => {
            if let Event::IntegrationChanged(change) = envelope.data {
                tracing::info!(
                    integration_id = %change.integration_id,
                    change = ?change.change,
                    status = %change.status,
                    "integration changed"
                );
                worker.directory.forget(change.company_id);
                if change.status == integration_status::ACTIVE {
                    resume.notify_one();
                }
            }
        }
        Err(err) => {
            // A broadcast with nothing to retry: the TTL covers what it would have said.
            tracing::warn!(error = %err, message_id = ?message.message_id, "unreadable integration event ignored");
        }
    }
    Outcome::Ack
}
