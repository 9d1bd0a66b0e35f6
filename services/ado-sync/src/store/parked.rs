//! Rows of `ado_sync.parked`: action item events waiting for an admin to fix their
//! integration.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::parked;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = parked)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ParkedRow {
    pub id: i64,
    pub body: Vec<u8>,
    pub message_id: Option<String>,
}

pub async fn park(
    conn: &mut AsyncPgConnection,
    integration_id: Uuid,
    body: &[u8],
    message_id: Option<&str>,
    reason: &str,
) -> QueryResult<()> {
    diesel::insert_into(parked::table)
        .values((
            parked::integration_id.eq(integration_id),
            parked::body.eq(body),
            parked::message_id.eq(message_id),
            parked::reason.eq(reason),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Integrations that have parked work.
pub async fn integrations_waiting(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Uuid>> {
    parked::table
        .select(parked::integration_id)
        .distinct()
        .load(conn)
        .await
}

pub async fn list_for(
    conn: &mut AsyncPgConnection,
    integration_id: Uuid,
    limit: i64,
) -> QueryResult<Vec<ParkedRow>> {
    parked::table
        .filter(parked::integration_id.eq(integration_id))
        .order(parked::id.asc())
        .limit(limit)
        .select(ParkedRow::as_select())
        .load(conn)
        .await
}

pub async fn delete(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(parked::table.filter(parked::id.eq_any(ids)))
        .execute(conn)
        .await
}

pub async fn count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    parked::table.count().get_result(conn).await
}
