//! What the webhook handler shares across requests.

use std::sync::Arc;
use std::time::Duration;

use navsync_messaging::Coalescer;

use crate::auth::SecretDigest;
use crate::directory::Directory;
use crate::limiter::Limiter;

#[derive(Clone)]
pub struct AppState {
    pub directory: Directory,
    /// One confirm channel for every request, fed by one task: concurrent publishes leave
    /// and confirm together.
    pub publisher: Coalescer,
    pub limiter: Arc<Limiter>,
    /// What an unknown integration's password is compared against (see `auth`).
    pub unknown_secret: SecretDigest,
    pub publish_timeout: Duration,
    /// `Retry-After` of a 503 for our own unavailability.
    pub retry_after_secs: u64,
}
