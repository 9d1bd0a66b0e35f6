//! The data of `ado.work_item.updated/deleted/restored.v1` on `navigator.ado-inbound`: an
//! ADO service hook notification as `webhook-ingress` received it, for `ado-sync` alone.
//! It is deliberately raw — field reference names and values exactly as ADO sent them —
//! because deciding which work items are ours, which changes are echoes and how states
//! map is `ado-sync`'s job (SPEC §9), and webhook-ingress must stay a thin, durable relay.
//!
//! Unknown fields are tolerated (no `deny_unknown_fields`) so webhook-ingress can add
//! optional fields without breaking an older ado-sync.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::{self, Validate, Violation};

/// ADO's "resource details to send" setting of the subscription. With `minimal` (or
/// `none`) the payload lacks the field values and `ado-sync` reads the work item back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceDetails {
    All,
    Minimal,
    None,
}

/// One field's change in an update, as ADO reports it (`resource.fields[name]`). A side is
/// `None` when ADO omitted it, e.g. no `old_value` for a field set for the first time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<serde_json::Value>,
}

/// A work item notification from ADO, tied to the integration whose webhook received it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdoWorkItemEventV1 {
    pub integration_id: Uuid,
    pub company_id: Uuid,
    pub organization: String,
    /// From 1.
    pub work_item_id: i64,
    /// The revision this notification describes, when ADO said (not always on deletes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<i64>,
    /// With `notification_id`, the key `ado-sync` deduplicates on: ADO may deliver a
    /// notification twice.
    pub subscription_id: String,
    pub notification_id: i64,
    /// ADO's own event id (a GUID), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Field reference name (`System.Title`) → old and new value. Empty for deleted and
    /// restored, and for updates sent with minimal details.
    pub changed_fields: BTreeMap<String, FieldChange>,
    /// Latest values of the work item's fields, when the payload carried them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, serde_json::Value>>,
    /// `System.RevisedBy` as ADO formats identities: `Name <unique name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revised_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revised_at: Option<DateTime<Utc>>,
    pub resource_details: ResourceDetails,
}

impl Validate for AdoWorkItemEventV1 {
    fn validate(&self) -> Result<(), Violation> {
        validate::at_least_one("work_item_id", self.work_item_id)?;
        validate::optional_at_least_one("rev", self.rev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_field_change_omits_the_side_ado_did_not_send() {
        let change = FieldChange {
            old_value: None,
            new_value: Some(json!("Doing")),
        };
        assert_eq!(
            serde_json::to_value(&change).expect("serializes"),
            json!({"new_value": "Doing"})
        );
        let back: FieldChange =
            serde_json::from_value(json!({"old_value": null, "new_value": "Doing"}))
                .expect("null reads as absent");
        assert_eq!(back, change);
    }

    #[test]
    fn resource_details_are_lower_case() {
        for (details, text) in [
            (ResourceDetails::All, "all"),
            (ResourceDetails::Minimal, "minimal"),
            (ResourceDetails::None, "none"),
        ] {
            assert_eq!(serde_json::to_value(details).expect("serializes"), text);
        }
    }
}
