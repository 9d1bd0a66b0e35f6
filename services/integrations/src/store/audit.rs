//! Rows of `integrations.audit_log`: who did what to an integration, and when. A detail
//! never holds a secret, only which field was touched.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::schema::audit_log;

/// What happened; the stable words of SPEC §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Validated,
    Revealed,
    Rotated,
    Enabled,
    Disabled,
    PatReplaced,
    OrganizationChanged,
    SettingsChanged,
    NeedsAttention,
    PatExpiring,
    Deleted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Validated => "validated",
            Action::Revealed => "revealed",
            Action::Rotated => "rotated",
            Action::Enabled => "enabled",
            Action::Disabled => "disabled",
            Action::PatReplaced => "pat_replaced",
            Action::OrganizationChanged => "organization_changed",
            Action::SettingsChanged => "settings_changed",
            Action::NeedsAttention => "needs_attention",
            Action::PatExpiring => "pat_expiring",
            Action::Deleted => "deleted",
        }
    }
}

/// One entry of the audit log, as stored and as `GET …/audit` shows it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[schema(as = AuditEntry)]
pub struct AuditRow {
    pub id: Uuid,
    pub integration_id: Uuid,
    pub company_id: Uuid,
    /// The user id of the admin, or `service:<name>` for another navsync service.
    pub actor: String,
    /// `created`, `validated`, `revealed`, `rotated`, `enabled`, `disabled`,
    /// `pat_replaced`, `organization_changed`, `settings_changed`, `needs_attention`,
    /// `pat_expiring`, `deleted`.
    pub action: String,
    /// What changed; never a secret.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    integration_id: Uuid,
    company_id: Uuid,
    actor: &str,
    action: Action,
    detail: serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(AuditRow {
            id: Uuid::now_v7(),
            integration_id,
            company_id,
            actor: actor.to_owned(),
            action: action.as_str().to_owned(),
            detail,
            created_at: navsync_platform::db::now(),
        })
        .execute(conn)
        .await
        .map(|_| ())
}

/// Newest first.
pub async fn list_by_integration(
    conn: &mut AsyncPgConnection,
    integration_id: Uuid,
    company_id: Uuid,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    audit_log::table
        .filter(audit_log::integration_id.eq(integration_id))
        .filter(audit_log::company_id.eq(company_id))
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
        .await
}
