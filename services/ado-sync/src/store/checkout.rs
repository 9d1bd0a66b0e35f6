//! A database connection held only while the database is in use: an inbound handler gives
//! it back to the pool while it reads a work item from ADO (seconds under throttling), so
//! one slow organization cannot take every connection from the others. Only a read is
//! waited for so: an outbound write keeps its connection until its revision is recorded,
//! since a write whose record waited for the pool and failed would come back as a
//! person's edit.

use diesel_async::AsyncPgConnection;
use navsync_platform::db::{Pool, PooledConnection};

pub struct Checkout<'c> {
    pool: &'c Pool,
    /// Taken from the pool; `None` while given back.
    pooled: Option<PooledConnection>,
    /// A caller's own connection (the reconciler keeps one for its whole pass): kept.
    borrowed: Option<&'c mut AsyncPgConnection>,
}

impl<'c> Checkout<'c> {
    pub fn holding(pool: &'c Pool, conn: PooledConnection) -> Self {
        Self {
            pool,
            pooled: Some(conn),
            borrowed: None,
        }
    }

    /// A connection the caller keeps: [`Checkout::give_back`] leaves it alone.
    pub fn borrowing(pool: &'c Pool, conn: &'c mut AsyncPgConnection) -> Self {
        Self {
            pool,
            pooled: None,
            borrowed: Some(conn),
        }
    }

    /// The connection, taken from the pool again when it was given back; the error reads
    /// as a retry reason.
    pub async fn conn(&mut self) -> Result<&mut AsyncPgConnection, String> {
        if let Some(conn) = self.borrowed.as_deref_mut() {
            return Ok(conn);
        }
        let conn = match self.pooled.take() {
            Some(conn) => conn,
            None => self
                .pool
                .get()
                .await
                .map_err(|e| format!("database: {e}"))?,
        };
        Ok(self.pooled.insert(conn))
    }

    /// Gives a pooled connection back until the next [`Checkout::conn`].
    pub fn give_back(&mut self) {
        self.pooled = None;
    }
}
