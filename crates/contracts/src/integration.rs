//! The data of `integration.changed.v1` on `navigator.integrations`: what happened to a
//! company's ADO integration, so `ado-sync` can park or resume work and `webhook-ingress`
//! can forget a deleted one. It never carries a credential — not the PAT, not the webhook
//! secret, not a hint of either — because every consumer and every dead-letter queue would
//! then hold it; services that need a credential ask `integrations` for it.
//!
//! Unknown fields are tolerated (no `deny_unknown_fields`) so `integrations` can add
//! optional fields without a new version.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::{Validate, Violation};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationChange {
    Created,
    Enabled,
    Disabled,
    /// A new PAT (or organization) was validated and saved; parked work may resume.
    CredentialsReplaced,
    /// Project, work item type, state mapping or deletion policy changed.
    SettingsChanged,
    /// A new webhook secret replaced the old one, which no longer authenticates.
    WebhookSecretRotated,
    /// ADO rejected the PAT; work is parked until an admin replaces it.
    NeedsAttention,
    AttentionCleared,
    /// The PAT's expiry date (given by the admin) is within 30, 7 or 1 days, or passed;
    /// announced once per threshold crossed.
    PatExpiring,
    Deleted,
}

/// The `status` values an integration can be in after the change.
pub mod integration_status {
    pub const ACTIVE: &str = "active";
    pub const DISABLED: &str = "disabled";
    pub const NEEDS_ATTENTION: &str = "needs_attention";
    pub const DELETED: &str = "deleted";

    pub const ALL: [&str; 4] = [ACTIVE, DISABLED, NEEDS_ATTENTION, DELETED];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationChangedV1 {
    pub integration_id: Uuid,
    pub company_id: Uuid,
    pub change: IntegrationChange,
    /// One of [`integration_status::ALL`]; text because `integrations` stores it as text.
    pub status: String,
    /// Why, in a sentence or a code (`pat_rejected`), when there is one to give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Validate for IntegrationChangedV1 {
    fn validate(&self) -> Result<(), Violation> {
        if integration_status::ALL.contains(&self.status.as_str()) {
            Ok(())
        } else {
            Err(Violation::new(
                "status",
                format!(
                    "unknown status `{}`, expected one of {}",
                    self.status,
                    integration_status::ALL.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(status: &str) -> IntegrationChangedV1 {
        IntegrationChangedV1 {
            integration_id: Uuid::nil(),
            company_id: Uuid::nil(),
            change: IntegrationChange::NeedsAttention,
            status: status.into(),
            reason: Some("pat_rejected".into()),
        }
    }

    #[test]
    fn changes_are_snake_case_on_the_wire() {
        let json = serde_json::to_value(changed("needs_attention")).expect("serializes");
        assert_eq!(json["change"], "needs_attention");
        assert_eq!(
            serde_json::to_value(IntegrationChange::CredentialsReplaced).expect("serializes"),
            "credentials_replaced"
        );
    }

    #[test]
    fn only_known_statuses_are_accepted() {
        for status in integration_status::ALL {
            assert_eq!(changed(status).validate(), Ok(()));
        }
        let err = changed("paused").validate().expect_err("unknown status");
        assert_eq!(err.field, "status");
    }
}
