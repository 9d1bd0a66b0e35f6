//! What the webhook handler shares across requests.

use std::sync::Arc;
use std::time::Duration;

use navsync_messaging::{Broker, Coalescer};

use crate::auth::SecretDigest;
use crate::directory::Directory;
use crate::limiter::Limiter;

/// What every actix worker shares: built once by [`crate::Application::build`].
#[derive(Clone)]
pub struct SharedState {
    pub directory: Directory,
    /// The broker every worker's [`Coalescer`] connects to, each with a connection of its
    /// own.
    pub broker: Arc<Broker>,
    pub limiter: Arc<Limiter>,
    /// What an unknown integration's password is compared against (see `auth`).
    pub unknown_secret: SecretDigest,
    pub publish_timeout: Duration,
    /// `Retry-After` of a 503 for our own unavailability.
    pub retry_after_secs: u64,
}

/// One actix worker's state: the shared parts and the worker's own coalescer.
#[derive(Clone)]
pub struct AppState {
    pub shared: SharedState,
    /// Fed by one task on this worker's own thread, which reads and writes the worker's
    /// own broker connection: concurrent publishes leave in one write and confirm
    /// together, and a request hands its message over and gets its answer back without
    /// crossing to another thread. Crossing to lapin's I/O thread and back for every
    /// batch cost a third of the ingress's CPU per webhook (docs/benchmarks.md).
    pub publisher: Coalescer,
}

impl SharedState {
    /// The state of the worker this is called on: starts its coalescer on the current
    /// runtime (an actix worker's own, when called from the app factory).
    pub fn for_this_worker(&self) -> AppState {
        AppState {
            shared: self.clone(),
            publisher: Coalescer::start(&self.broker),
        }
    }
}
