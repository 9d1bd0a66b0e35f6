//! Rows of `action_items.action_items`. Changes load the row `FOR UPDATE`, change it in
//! Rust and save it whole, so each change is one serialised read-modify-write.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::action_items;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = action_items)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[diesel(treat_none_as_null = true)]
pub struct ActionItemRow {
    pub id: Uuid,
    pub company_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: String,
    pub assignee_email: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub sync_to_ado: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ado_work_item_id: Option<i64>,
    pub ado_url: Option<String>,
    pub ado_sync_state: String,
    pub ado_last_synced_at: Option<DateTime<Utc>>,
    pub ado_error: Option<String>,
    pub ado_synced_version: i64,
    pub ado_title_rev: Option<i64>,
    pub ado_description_rev: Option<i64>,
    pub ado_status_rev: Option<i64>,
    pub ado_warning: Option<String>,
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &ActionItemRow) -> QueryResult<()> {
    diesel::insert_into(action_items::table)
        .values(row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The item only if it belongs to `company_id`; other companies' items are invisible.
pub async fn find_for_company(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    company_id: Uuid,
) -> QueryResult<Option<ActionItemRow>> {
    action_items::table
        .find(id)
        .filter(action_items::company_id.eq(company_id))
        .select(ActionItemRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks the row for the rest of the transaction.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    company_id: Uuid,
) -> QueryResult<Option<ActionItemRow>> {
    action_items::table
        .find(id)
        .filter(action_items::company_id.eq(company_id))
        .select(ActionItemRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// A page of the company's items after `after` (exclusive), in id order.
pub async fn list_for_company(
    conn: &mut AsyncPgConnection,
    company_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<ActionItemRow>> {
    let mut query = action_items::table
        .filter(action_items::company_id.eq(company_id))
        .order(action_items::id.asc())
        .limit(limit)
        .select(ActionItemRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(action_items::id.gt(after));
    }
    query.load(conn).await
}

pub async fn save(conn: &mut AsyncPgConnection, row: &ActionItemRow) -> QueryResult<()> {
    diesel::update(action_items::table.find(row.id))
        .set(row)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(action_items::table.find(id))
        .execute(conn)
        .await
}
