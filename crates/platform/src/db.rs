//! PostgreSQL for a service: a diesel-async pool, and embedded migrations applied at start
//! under an advisory lock so that several replicas can start at once on an empty database.
//!
//! Each service owns one PostgreSQL schema; its migrations (and diesel's bookkeeping
//! table) live there, so services sharing a database never see each other's tables.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use secrecy::{ExposeSecret, SecretString};

pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;
pub type PooledConnection = diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("could not build the database pool: {0}")]
    Pool(String),
    #[error("could not migrate schema {schema}: {message}")]
    Migration { schema: String, message: String },
}

/// Builds a pool; connections are made lazily, so this succeeds while the database is down
/// and `/readyz` reports it.
pub fn pool(url: &SecretString, size: usize) -> Result<Pool, DbError> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url.expose_secret());
    Pool::builder(manager)
        .max_size(size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| DbError::Pool(e.to_string()))
}

/// Applies the service's pending migrations inside its own schema.
///
/// A session-level advisory lock keyed by the schema name serialises replicas: the first
/// migrates, the others wait, then find nothing pending.
pub async fn migrate(
    url: &SecretString,
    schema: &'static str,
    migrations: EmbeddedMigrations,
) -> Result<(), DbError> {
    let url = url.expose_secret().to_owned();
    let fail = move |message: String| DbError::Migration {
        schema: schema.to_owned(),
        message,
    };
    tokio::task::spawn_blocking(move || -> Result<(), DbError> {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| fail(e.to_string()))?;
        let key = advisory_key(schema);
        conn.batch_execute(&format!("SELECT pg_advisory_lock({key})"))
            .map_err(|e| fail(e.to_string()))?;
        let result = (|| {
            conn.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))
            .map_err(|e| fail(e.to_string()))?;
            conn.run_pending_migrations(migrations)
                .map(|_| ())
                .map_err(|e| fail(e.to_string()))
        })();
        // Closing the session would release the lock too; unlocking keeps it explicit.
        let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({key})"));
        result
    })
    .await
    .map_err(|e| DbError::Migration {
        schema: schema.to_owned(),
        message: e.to_string(),
    })?
}

/// A stable 63-bit key per schema (FNV-1a), so every replica computes the same lock.
fn advisory_key(schema: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in b"navsync-migrations:".iter().chain(schema.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash >> 1) as i64
}

/// `SELECT 1` through the pool, for readiness.
pub async fn ping(pool: &Pool) -> Result<(), String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    diesel::sql_query("SELECT 1")
        .execute(&mut conn)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Now, at the precision PostgreSQL stores (microseconds), so that what a handler answers
/// equals what a later read of the same row answers.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::DurationRound;
    let now = chrono::Utc::now();
    now.duration_trunc(chrono::TimeDelta::microseconds(1))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    #[test]
    fn advisory_keys_differ_per_schema_and_are_stable() {
        assert_eq!(super::advisory_key("a"), super::advisory_key("a"));
        assert_ne!(super::advisory_key("a"), super::advisory_key("b"));
        assert!(super::advisory_key("integrations") >= 0);
    }
}
