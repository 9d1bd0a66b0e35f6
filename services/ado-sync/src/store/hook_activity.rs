//! Rows of `ado_sync.hook_activity`: when ado-sync last wrote to ADO and last heard a
//! webhook, per company, for the no-webhooks check.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::hook_activity;

/// A write to ADO: its echo (a webhook) is now expected.
pub async fn wrote(
    conn: &mut AsyncPgConnection,
    company_id: Uuid,
    integration_id: Uuid,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO ado_sync.hook_activity \
           (company_id, integration_id, last_outbound_at, unanswered_since) \
         VALUES ($1, $2, now(), now()) \
         ON CONFLICT (company_id) DO UPDATE SET integration_id = EXCLUDED.integration_id, \
           last_outbound_at = now(), \
           unanswered_since = COALESCE(hook_activity.unanswered_since, now())",
    )
    .bind::<SqlUuid, _>(company_id)
    .bind::<SqlUuid, _>(integration_id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// A webhook arrived. Returns whether the company was flagged (so the flag is cleared).
pub async fn heard(
    conn: &mut AsyncPgConnection,
    company_id: Uuid,
    integration_id: Uuid,
) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Was {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        was_flagged: bool,
    }
    let rows: Vec<Was> = diesel::sql_query(
        "WITH old AS (SELECT flagged FROM ado_sync.hook_activity WHERE company_id = $1) \
         INSERT INTO ado_sync.hook_activity (company_id, integration_id, last_inbound_at) \
         VALUES ($1, $2, now()) \
         ON CONFLICT (company_id) DO UPDATE SET last_inbound_at = now(), \
           unanswered_since = NULL, flagged = false \
         RETURNING COALESCE((SELECT flagged FROM old), false) AS was_flagged",
    )
    .bind::<SqlUuid, _>(company_id)
    .bind::<SqlUuid, _>(integration_id)
    .load(conn)
    .await?;
    Ok(rows.iter().any(|r| r.was_flagged))
}

/// Companies whose oldest unanswered write is older than `before`, not flagged yet.
pub async fn silent_since(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<Vec<Uuid>> {
    hook_activity::table
        .filter(hook_activity::unanswered_since.lt(before))
        .filter(hook_activity::flagged.eq(false))
        .select(hook_activity::company_id)
        .load(conn)
        .await
}

pub async fn mark_flagged(conn: &mut AsyncPgConnection, company_id: Uuid) -> QueryResult<()> {
    diesel::update(hook_activity::table.find(company_id))
        .set(hook_activity::flagged.eq(true))
        .execute(conn)
        .await
        .map(|_| ())
}
