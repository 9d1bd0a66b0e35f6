//! What callers see of an integration. The public view never holds a secret; the internal
//! view (for other navsync services) adds the decrypted credentials.

use chrono::{DateTime, Utc};
use navsync_contracts::integration_status;
use navsync_platform::openapi::string_enum;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::integrations::IntegrationRow;

/// The integration as a company admin sees it (SPEC §5): never a secret, only hints.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Integration)]
pub struct IntegrationView {
    pub id: Uuid,
    pub company_id: Uuid,
    /// The ADO organization, the first path segment of its URL.
    #[schema(example = "p2anav-dev")]
    pub organization: String,
    pub enabled: bool,
    #[schema(schema_with = status_schema)]
    pub status: &'static str,
    /// Why it needs attention (`pat_rejected`, `no_webhooks`, …).
    pub status_reason: Option<String>,
    /// `****` and the PAT's last four characters.
    pub pat_hint: String,
    /// Where ADO's service hooks call: `<webhook base>/hooks/ado/<id>`.
    #[schema(format = "uri")]
    pub webhook_url: String,
    pub webhook_secret_hint: String,
    /// The ADO project work items are created in.
    pub project: Option<String>,
    #[schema(example = "Task")]
    pub work_item_type: String,
    /// Overrides of the state an action item status maps to, e.g. `{"done": "Closed"}`.
    #[schema(schema_with = crate::settings_input::state_mapping_schema)]
    pub state_mapping: serde_json::Value,
    #[schema(schema_with = on_deleted_schema)]
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

fn status_schema() -> utoipa::openapi::ObjectBuilder {
    string_enum(&[
        integration_status::ACTIVE,
        integration_status::DISABLED,
        integration_status::NEEDS_ATTENTION,
    ])
}

fn on_deleted_schema() -> utoipa::openapi::ObjectBuilder {
    string_enum(&crate::settings_input::ON_ACTION_ITEM_DELETED)
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
#[derive(Serialize, ToSchema)]
#[schema(as = InternalIntegration)]
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
