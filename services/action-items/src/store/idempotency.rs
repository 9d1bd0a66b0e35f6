//! Rows of `action_items.idempotency_keys`: the first answer to a POST, replayed for 24
//! hours to a retry that carries the same `Idempotency-Key`.

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::idempotency_keys;

pub enum Claim {
    /// The key is ours: do the work, then [`complete`] it in the same transaction.
    New,
    /// The key was used for this same request: answer as the first time.
    Replay {
        status: u16,
        response: serde_json::Value,
    },
    /// The key was used for a different request.
    Mismatch,
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    key: String,
}

/// Claims `key` for this request. A concurrent claim of the same key waits for ours to
/// commit (the primary key makes it), then sees our answer.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    company_id: Uuid,
    key: &str,
    request_hash: &str,
) -> QueryResult<Claim> {
    // An expired key (older than 24 h) is taken over as if new.
    let claimed: Vec<Claimed> = diesel::sql_query(
        "INSERT INTO action_items.idempotency_keys (company_id, key, request_hash) \
         VALUES ($1, $2, $3) \
         ON CONFLICT (company_id, key) DO UPDATE \
           SET request_hash = EXCLUDED.request_hash, status_code = NULL, response = NULL, \
               created_at = now() \
           WHERE idempotency_keys.created_at < now() - interval '24 hours' \
         RETURNING key",
    )
    .bind::<SqlUuid, _>(company_id)
    .bind::<Text, _>(key)
    .bind::<Text, _>(request_hash)
    .load(conn)
    .await?;
    if !claimed.is_empty() {
        return Ok(Claim::New);
    }
    let (hash, status, response): (String, Option<i32>, Option<serde_json::Value>) =
        idempotency_keys::table
            .find((company_id, key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::status_code,
                idempotency_keys::response,
            ))
            .first(conn)
            .await?;
    if hash != request_hash {
        return Ok(Claim::Mismatch);
    }
    match (status, response) {
        (Some(status), Some(response)) => Ok(Claim::Replay {
            status: u16::try_from(status).unwrap_or(200),
            response,
        }),
        // Committed without an answer cannot happen: claim and answer share a transaction.
        _ => Ok(Claim::Mismatch),
    }
}

pub async fn complete(
    conn: &mut AsyncPgConnection,
    company_id: Uuid,
    key: &str,
    status: u16,
    response: &serde_json::Value,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((company_id, key)))
        .set((
            idempotency_keys::status_code.eq(i32::from(status)),
            idempotency_keys::response.eq(response),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}
