//! Rows of `action_items.outbox`: events waiting for the relay. A row is written in the
//! transaction of the change it reports and deleted only after the broker confirmed it
//! (deleting is cheaper than updating a row that carries the whole event, and leaves the
//! table holding exactly the backlog).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::outbox;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxRow {
    pub event_id: Uuid,
    pub aggregate_id: Uuid,
    pub exchange: String,
    pub routing_key: String,
    pub body: Vec<u8>,
    pub traceparent: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct PendingRow {
    pub seq: i64,
    pub event_id: Uuid,
    pub exchange: String,
    pub routing_key: String,
    pub body: Vec<u8>,
    pub traceparent: Option<String>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &NewOutboxRow) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The oldest waiting rows after `after` (a `seq`), locked; rows another transaction holds
/// are skipped.
pub async fn lock_unpublished(
    conn: &mut AsyncPgConnection,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<PendingRow>> {
    outbox::table
        .filter(outbox::seq.gt(after))
        .order(outbox::seq.asc())
        .limit(limit)
        .select(PendingRow::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
        .await
}

/// Removes rows the broker confirmed.
pub async fn delete_published(conn: &mut AsyncPgConnection, seqs: &[i64]) -> QueryResult<usize> {
    if seqs.is_empty() {
        return Ok(0);
    }
    diesel::delete(outbox::table.filter(outbox::seq.eq_any(seqs)))
        .execute(conn)
        .await
}

/// How many rows wait, and since when the oldest has waited.
pub async fn backlog(conn: &mut AsyncPgConnection) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    let count = outbox::table.count().get_result(conn).await?;
    let oldest = outbox::table
        .select(diesel::dsl::min(outbox::created_at))
        .first(conn)
        .await?;
    Ok((count, oldest))
}
