//! Rows of `integrations.integrations`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::integrations;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = integrations)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct IntegrationRow {
    pub id: Uuid,
    pub company_id: Uuid,
    pub organization: String,
    pub enabled: bool,
    pub attention_reason: Option<String>,
    pub pat_ciphertext: String,
    pub pat_hint: String,
    pub webhook_secret_ciphertext: String,
    pub webhook_secret_hint: String,
    pub project: Option<String>,
    pub work_item_type: String,
    pub state_mapping: serde_json::Value,
    pub on_action_item_deleted: String,
    pub last_validated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub pat_expires_at: Option<DateTime<Utc>>,
    pub pat_expiry_warned_days: Option<i32>,
    pub hook_status: Option<String>,
    pub hook_checked_at: Option<DateTime<Utc>>,
}

/// The columns a change may set; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = integrations)]
pub struct IntegrationChanges {
    pub organization: Option<String>,
    pub enabled: Option<bool>,
    pub attention_reason: Option<Option<String>>,
    pub pat_ciphertext: Option<String>,
    pub pat_hint: Option<String>,
    pub webhook_secret_ciphertext: Option<String>,
    pub webhook_secret_hint: Option<String>,
    pub project: Option<Option<String>>,
    pub work_item_type: Option<String>,
    pub state_mapping: Option<serde_json::Value>,
    pub on_action_item_deleted: Option<String>,
    pub last_validated_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub pat_expires_at: Option<Option<DateTime<Utc>>>,
    pub pat_expiry_warned_days: Option<Option<i32>>,
    pub hook_status: Option<Option<String>>,
    pub hook_checked_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    #[error("the company already has an integration")]
    CompanyHasOne,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &IntegrationRow) -> Result<(), InsertError> {
    use diesel::result::{DatabaseErrorKind, Error};
    match diesel::insert_into(integrations::table)
        .values(row)
        .execute(conn)
        .await
    {
        Ok(_) => Ok(()),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(InsertError::CompanyHasOne)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn find_by_id(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<IntegrationRow>> {
    integrations::table
        .find(id)
        .select(IntegrationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The integration `id` only if it belongs to `company_id`: other companies' rows are
/// invisible, so callers answer 404 without revealing that they exist.
pub async fn find_by_id_for_company(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    company_id: Uuid,
) -> QueryResult<Option<IntegrationRow>> {
    integrations::table
        .find(id)
        .filter(integrations::company_id.eq(company_id))
        .select(IntegrationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks the row for the rest of the transaction, so concurrent changes serialise.
pub async fn find_by_id_for_update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    company_id: Uuid,
) -> QueryResult<Option<IntegrationRow>> {
    integrations::table
        .find(id)
        .filter(integrations::company_id.eq(company_id))
        .select(IntegrationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn find_by_company(
    conn: &mut AsyncPgConnection,
    company_id: Uuid,
) -> QueryResult<Option<IntegrationRow>> {
    integrations::table
        .filter(integrations::company_id.eq(company_id))
        .select(IntegrationRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn update_by_id(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &IntegrationChanges,
) -> QueryResult<IntegrationRow> {
    diesel::update(integrations::table.find(id))
        .set(changes)
        .returning(IntegrationRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(integrations::table.find(id))
        .execute(conn)
        .await
}
