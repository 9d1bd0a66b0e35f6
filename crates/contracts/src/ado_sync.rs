//! The data `ado-sync` publishes on `navigator.ado-sync`: how a sync went (`synced`,
//! `sync_failed`) and what changed in ADO (`changed_in_ado`, `deleted_in_ado`). These are
//! already interpreted — our work items only, echoes and stale revisions dropped, states
//! mapped, descriptions turned to text — so `action-items` can apply them without knowing
//! anything about ADO.
//!
//! Unknown fields are tolerated (no `deny_unknown_fields`) so that ado-sync can add
//! optional fields without breaking an older action-items.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::action_item::ActionItemStatus;
use crate::validate::{self, Validate, Violation};

/// `action_item.synced.v1`: the action item at `version` is now in ADO as `work_item_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItemSyncedV1 {
    pub action_item_id: Uuid,
    pub company_id: Uuid,
    pub work_item_id: i64,
    /// The work item's web URL, shown next to the action item.
    pub url: String,
    /// The ADO revision ado-sync's write produced.
    pub rev: i64,
    /// The action item version now reflected in ADO.
    pub version: i64,
    pub synced_at: DateTime<Utc>,
    /// What did not go along although the sync succeeded (e.g. `assignee_not_in_ado`:
    /// ADO does not know the assignee, so the work item stays unassigned).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<SyncError>,
}

/// Why a sync failed: a stable `code` (`pat_rejected`, `ado_bad_request`, …) to branch on
/// and a `message` for people, ADO's own words when ADO gave some. Never a credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncError {
    pub code: String,
    pub message: String,
}

/// `action_item.sync_failed.v1`: the action item at `version` could not be written to ADO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItemSyncFailedV1 {
    pub action_item_id: Uuid,
    pub company_id: Uuid,
    /// `None` when the work item was never created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_item_id: Option<i64>,
    pub version: i64,
    pub error: SyncError,
    /// True when the work is parked until an admin acts (e.g. the PAT was rejected) rather
    /// than failed for good; it resumes by itself once the integration is fixed.
    pub paused: bool,
    pub failed_at: DateTime<Utc>,
}

/// A field's new value and the ADO revision that set it. `action-items` applies it only
/// when `rev` is newer than the last revision it applied to that field, so a late delivery
/// never overwrites a newer edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldValue<T> {
    pub value: T,
    pub rev: i64,
}

/// The action item fields that changed in ADO. Absent means "not changed"; for
/// `description`, `Some(FieldValue { value: None, .. })` means "cleared in ADO".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdoChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<FieldValue<String>>,
    /// Plain text, converted from ADO's HTML by ado-sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<FieldValue<Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FieldValue<ActionItemStatus>>,
}

impl AdoChanges {
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.description.is_none() && self.status.is_none()
    }
}

/// `action_item.changed_in_ado.v1`: someone edited our work item in ADO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItemChangedInAdoV1 {
    pub action_item_id: Uuid,
    pub company_id: Uuid,
    pub work_item_id: i64,
    /// The revision of the notification; each change carries its own `rev` too.
    pub rev: i64,
    /// At least one change: an event that changes nothing is never published.
    pub changes: AdoChanges,
    /// `Name <unique name>` as ADO reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// `action_item.deleted_in_ado.v1`: our work item was deleted in ADO, so the action item
/// goes too (SPEC §1.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItemDeletedInAdoV1 {
    pub action_item_id: Uuid,
    pub company_id: Uuid,
    pub work_item_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
    pub deleted_at: DateTime<Utc>,
}

impl Validate for ActionItemSyncedV1 {
    fn validate(&self) -> Result<(), Violation> {
        validate::at_least_one("work_item_id", self.work_item_id)?;
        validate::at_least_one("rev", self.rev)?;
        validate::at_least_one("version", self.version)
    }
}

impl Validate for ActionItemSyncFailedV1 {
    fn validate(&self) -> Result<(), Violation> {
        validate::optional_at_least_one("work_item_id", self.work_item_id)?;
        validate::at_least_one("version", self.version)?;
        validate::not_empty("error.code", &self.error.code)
    }
}

impl Validate for AdoChanges {
    fn validate(&self) -> Result<(), Violation> {
        if self.is_empty() {
            return Err(Violation::new(
                "",
                "must hold at least one of title, description, status",
            ));
        }
        if let Some(title) = &self.title {
            validate::title("title.value", &title.value)?;
            validate::at_least_one("title.rev", title.rev)?;
        }
        if let Some(description) = &self.description {
            validate::at_least_one("description.rev", description.rev)?;
        }
        if let Some(status) = &self.status {
            validate::at_least_one("status.rev", status.rev)?;
        }
        Ok(())
    }
}

impl Validate for ActionItemChangedInAdoV1 {
    fn validate(&self) -> Result<(), Violation> {
        validate::at_least_one("work_item_id", self.work_item_id)?;
        validate::at_least_one("rev", self.rev)?;
        self.changes.validate().map_err(|v| {
            // An empty `changes` is wrong as a whole: name `changes`, not `changes.`.
            if v.field.is_empty() {
                Violation::new("changes", v.message)
            } else {
                v.within("changes")
            }
        })
    }
}

impl Validate for ActionItemDeletedInAdoV1 {
    fn validate(&self) -> Result<(), Violation> {
        validate::at_least_one("work_item_id", self.work_item_id)?;
        validate::optional_at_least_one("rev", self.rev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changed(changes: AdoChanges) -> ActionItemChangedInAdoV1 {
        ActionItemChangedInAdoV1 {
            action_item_id: Uuid::nil(),
            company_id: Uuid::nil(),
            work_item_id: 7,
            rev: 4,
            changes,
            changed_by: None,
            changed_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_change_in_ado_must_change_something() {
        let err = changed(AdoChanges::default())
            .validate()
            .expect_err("no changes");
        assert_eq!(err.field, "changes");
    }

    #[test]
    fn a_cleared_description_differs_from_an_unchanged_one() {
        let cleared = AdoChanges {
            description: Some(FieldValue {
                value: None,
                rev: 4,
            }),
            ..AdoChanges::default()
        };
        let json = serde_json::to_value(&cleared).expect("serializes");
        assert_eq!(json, json!({"description": {"value": null, "rev": 4}}));
        let back: AdoChanges = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, cleared);
        assert!(!back.is_empty());
    }

    #[test]
    fn a_title_from_ado_obeys_the_title_rule() {
        let long = changed(AdoChanges {
            title: Some(FieldValue {
                value: "x".repeat(256),
                rev: 4,
            }),
            ..AdoChanges::default()
        });
        let err = long.validate().expect_err("too long");
        assert_eq!(err.field, "changes.title.value");
    }

    #[test]
    fn a_status_change_carries_the_mapped_status() {
        let json = json!({"status": {"value": "done", "rev": 9}});
        let changes: AdoChanges = serde_json::from_value(json).expect("deserializes");
        assert_eq!(
            changes.status,
            Some(FieldValue {
                value: ActionItemStatus::Done,
                rev: 9
            })
        );
    }
}
