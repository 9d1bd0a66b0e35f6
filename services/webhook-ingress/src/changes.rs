//! Listens to `integration.changed.v1` on `navigator.integrations` and drops the cached
//! entry of the integration it names, so that a disabled integration, a replaced secret or
//! a deleted integration takes effect at once instead of after the cache's TTL.
//!
//! Every replica has its own exclusive, auto-deleted queue: each must hear every change,
//! and none needs what happened while it was not running (it starts with an empty cache).
//! Changes missed while the broker connection was down are covered by the TTL.

use std::sync::Arc;

use navsync_contracts::{Event, decode, exchange};
use navsync_messaging::{
    Broker, ConsumerConfig, IncomingMessage, Outcome, QueueSpec, run_consumer,
};
use tokio_util::sync::CancellationToken;

use crate::directory::Directory;

/// The consumer of this replica's queue, until `shutdown`.
pub async fn run(broker: Arc<Broker>, directory: Directory, shutdown: CancellationToken) {
    let name = format!(
        "webhook-ingress.integrations.{}",
        uuid::Uuid::new_v4().simple()
    );
    let config = ConsumerConfig {
        spec: QueueSpec::exclusive(&name, exchange::INTEGRATIONS, &["integration.#"])
            .counted_as("webhook-ingress.integrations"),
        prefetch: 50,
        consumer_tag: name.clone(),
    };
    run_consumer(
        broker,
        config,
        move |message| handle(directory.clone(), message),
        shutdown,
    )
    .await;
}

async fn handle(directory: Directory, message: IncomingMessage) -> Outcome {
    match decode(&message.body) {
        Ok(envelope) => {
            if let Event::IntegrationChanged(change) = envelope.data {
                tracing::info!(
                    integration_id = %change.integration_id,
                    change = ?change.change,
                    "integration changed: its cached secret and state are dropped"
                );
                directory.forget(change.integration_id).await;
            }
        }
        Err(err) => {
            // Nothing to retry and nowhere to park it: say so and move on.
            tracing::warn!(error = %err, message_id = ?message.message_id, "unreadable integration event ignored");
        }
    }
    Outcome::Ack
}
