//! "Only one replica does this at a time": a PostgreSQL session advisory lock held on one
//! pooled connection for as long as the work runs. A replica that dies releases it with its
//! session, so a periodic task is never stuck behind a dead holder.

use crate::db::{Pool, PooledConnection};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool};
use diesel_async::RunQueryDsl;

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// A stable key per task name (FNV-1a), so every replica computes the same lock.
pub fn key(task: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in b"navsync-task:".iter().chain(task.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash >> 1) as i64
}

/// The lock, held until [`Held::release`] (or until its connection closes).
pub struct Held {
    conn: PooledConnection,
    key: i64,
}

/// Takes the lock of `task` when no other session holds it; `None` when one does.
pub async fn try_lock(pool: &Pool, task: &str) -> Result<Option<Held>, String> {
    let key = key(task);
    let mut conn = pool.get().await.map_err(|e| format!("database: {e}"))?;
    let rows: Vec<Locked> = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(key)
        .load(&mut conn)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let locked = rows.iter().any(|r| r.locked);
    Ok(locked.then_some(Held { conn, key }))
}

impl Held {
    pub async fn release(mut self) {
        let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<BigInt, _>(self.key)
            .execute(&mut self.conn)
            .await;
        if unlocked.is_err() {
            // Never hand a connection that may still hold the lock back to the pool:
            // closing it ends the session, which releases the lock.
            drop(PooledConnection::take(self.conn));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_stable_and_differ_per_task() {
        assert_eq!(super::key("reconciler"), super::key("reconciler"));
        assert_ne!(super::key("reconciler"), super::key("hook-watch"));
        assert!(super::key("reconciler") >= 0);
    }
}
