//! What callers see of an integration. The public view never holds a secret; the internal
//! view (for other navsync services) adds the decrypted credentials.

use chrono::{DateTime, Utc};
use navsync_contracts::integration_status;
use serde::Serialize;
use uuid::Uuid;

use crate::store::integrations::IntegrationRow;

#[derive(Debug, Serialize)]
pub struct IntegrationView {
    pub id: Uuid,
    pub company_id: Uuid,
    pub organization: String,
    pub enabled: bool,
    pub status: &'static str,
    pub status_reason: Option<String>,
    pub pat_hint: String,
    pub webhook_url: String,
    pub webhook_secret_hint: String,
    pub project: Option<String>,
    pub work_item_type: String,
    pub state_mapping: serde_json::Value,
    pub on_action_item_deleted: String,
    pub last_validated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the PAT expires, as the admin said; `null`: not given.
    pub pat_expires_at: Option<DateTime<Utc>>,
    /// Within 30, 7 or 1 days of `pat_expires_at`, or past it.
    pub pat_expiry_warning: Option<crate::pat_expiry::Warning>,
    /// What ADO said of our service hooks when last asked (`hook-health`); `null`: never.
    pub hook_status: Option<String>,
    pub hook_checked_at: Option<DateTime<Utc>>,
}

impl IntegrationView {
    pub fn new(row: IntegrationRow, webhook_base_url: &str) -> Self {
        let status = status_of(&row);
        Self {
            webhook_url: format!(
                "{}/hooks/ado/{}",
                webhook_base_url.trim_end_matches('/'),
                row.id
            ),
            id: row.id,
            company_id: row.company_id,
            organization: row.organization,
            enabled: row.enabled,
            status,
            status_reason: row.attention_reason,
            pat_hint: row.pat_hint,
            webhook_secret_hint: row.webhook_secret_hint,
            project: row.project,
            work_item_type: row.work_item_type,
            state_mapping: row.state_mapping,
            on_action_item_deleted: row.on_action_item_deleted,
            last_validated_at: row.last_validated_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            pat_expiry_warning: crate::pat_expiry::warning(row.pat_expires_at, Utc::now()),
            pat_expires_at: row.pat_expires_at,
            hook_status: row.hook_status,
            hook_checked_at: row.hook_checked_at,
        }
    }
}

/// For services only, behind the service credential: the integration with its secrets.
#[derive(Serialize)]
pub struct InternalIntegrationView {
    #[serde(flatten)]
    pub integration: IntegrationView,
    pub pat: String,
    pub webhook_secret: String,
}

/// The status SPEC §5 shows and `integration.changed.v1` carries.
pub fn status_of(row: &IntegrationRow) -> &'static str {
    if !row.enabled {
        integration_status::DISABLED
    } else if row.attention_reason.is_some() {
        integration_status::NEEDS_ATTENTION
    } else {
        integration_status::ACTIVE
    }
}
