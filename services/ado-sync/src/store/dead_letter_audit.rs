//! Rows of `ado_sync.dead_letter_audit`: what operators did to dead letters.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use crate::schema::dead_letter_audit;

#[derive(Insertable)]
#[diesel(table_name = dead_letter_audit)]
pub struct NewAuditRow<'a> {
    pub queue: &'a str,
    pub action: &'a str,
    pub message_id: Option<&'a str>,
    pub routing_key: &'a str,
    pub reason: Option<&'a str>,
    pub actor: &'a str,
    pub body: Option<&'a [u8]>,
}

/// One thing an operator did to a dead letter, as `GET …/audit` shows it (without the
/// body kept for a discarded message).
#[derive(Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = dead_letter_audit)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[schema(as = DeadLetterAuditEntry)]
pub struct AuditRow {
    pub id: i64,
    pub queue: String,
    /// `redriven` or `discarded`.
    pub action: String,
    pub message_id: Option<String>,
    pub routing_key: String,
    pub reason: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &NewAuditRow<'_>) -> QueryResult<()> {
    diesel::insert_into(dead_letter_audit::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The latest `limit` rows of `queue`, newest first.
pub async fn list_by_queue(
    conn: &mut AsyncPgConnection,
    queue: &str,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    dead_letter_audit::table
        .filter(dead_letter_audit::queue.eq(queue))
        .order(dead_letter_audit::id.desc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
        .await
}
