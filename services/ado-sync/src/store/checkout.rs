//! A database connection held only while the database is in use: a handler gives it back
//! to the pool while it waits for ADO (seconds under throttling), so one slow organization
//! cannot take every connection from the others, nor from the inbound side, which would
//! then time out waiting for the pool and go down the retry ladder.

use diesel_async::AsyncPgConnection;
use navsync_platform::db::{Pool, PooledConnection};

pub struct Checkout<'p> {
    pool: &'p Pool,
    held: Option<PooledConnection>,
}

/// The pool had no connection to give within its wait timeout.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PoolWait(String);

impl<'p> Checkout<'p> {
    pub fn holding(pool: &'p Pool, conn: PooledConnection) -> Self {
        Self {
            pool,
            held: Some(conn),
        }
    }

    /// The connection, taken from the pool again when it was given back.
    pub async fn conn(&mut self) -> Result<&mut AsyncPgConnection, PoolWait> {
        if self.held.is_none() {
            let conn = self.pool.get().await.map_err(|e| PoolWait(e.to_string()))?;
            self.held = Some(conn);
        }
        self.held
            .as_deref_mut()
            .ok_or_else(|| PoolWait("no connection was taken".into()))
    }

    /// Gives the connection back until the next [`Checkout::conn`].
    pub fn give_back(&mut self) {
        self.held = None;
    }
}
