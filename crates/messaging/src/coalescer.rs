//! Many callers publishing one message each (the webhook ingress: one per request) hand
//! their message to one task, which sends whatever has queued up meanwhile as one batch
//! and answers each caller when its confirm arrived. The frames of a batch leave together
//! and the callers' tasks never touch the channel themselves, which a publish per caller
//! across several runtimes (actix's workers) made a point of contention.

use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::{mpsc, oneshot};

use crate::{OutgoingMessage, PublishError, Publisher};

/// Messages sent as one batch at most.
const BATCH: usize = 256;

/// Batches in flight at most, each on its own channel. The ingress runs one coalescer per
/// actix worker over one publisher, so two workers keep 16 of its 32 channels busy; lapin
/// looks at every open channel for each frame it writes, so fewer is cheaper (4, 8 and 16
/// measured alike on two cores).
const IN_FLIGHT: usize = 8;

type Request = (OutgoingMessage, oneshot::Sender<Result<(), PublishError>>);

#[derive(Clone)]
pub struct Coalescer {
    requests: mpsc::Sender<Request>,
}

impl Coalescer {
    /// Starts the publishing task on the current runtime; it ends when every clone of the
    /// coalescer is dropped and the last confirm came.
    pub fn start(publisher: Arc<Publisher>) -> Self {
        let (requests, receiver) = mpsc::channel(4 * BATCH);
        tokio::spawn(run(publisher, receiver));
        Self { requests }
    }

    /// Publishes `message`; `Ok` once the broker confirmed it, as [`Publisher::publish`].
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

async fn run(publisher: Arc<Publisher>, mut receiver: mpsc::Receiver<Request>) {
    let publisher = &*publisher;
    let mut confirming = FuturesUnordered::new();
    let mut open = true;
    while open || !confirming.is_empty() {
        tokio::select! {
            // Each batch holds one of the publisher's channels until its confirms are in:
            // beyond IN_FLIGHT batches, requests wait in the queue (and it fills, pushing
            // back on the callers) rather than in ever more batches.
            first = receiver.recv(), if open && confirming.len() < IN_FLIGHT => {
                let Some(first) = first else {
                    open = false;
                    continue;
                };
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match receiver.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (messages, answers): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
                // Sending happens inside the future too: waiting here for a channel that
                // only a batch in `confirming` can give back would never end.
                confirming.push(async move {
                    let sent = publisher.send_all(&messages).await;
                    // lapin has copied the bodies into its frames by now: they need not
                    // be held for the confirms too.
                    drop(messages);
                    for (result, answer) in sent.wait().await.into_iter().zip(answers) {
                        // A caller that gave up (its timeout) no longer listens.
                        let _ = answer.send(result);
                    }
                });
            }
            Some(()) = confirming.next(), if !confirming.is_empty() => {}
        }
    }
}
