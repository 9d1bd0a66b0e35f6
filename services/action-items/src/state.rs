//! What every handler shares.

use std::sync::Arc;

use navsync_platform::db::Pool;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// Wakes the outbox relay after a commit, so events leave at once instead of at the
    /// next poll.
    pub relay_wake: Arc<Notify>,
}
