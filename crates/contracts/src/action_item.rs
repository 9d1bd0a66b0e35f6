//! The data of `action_item.created/updated/deleted.v1` on `navigator.action-items`: the
//! whole action item, so a consumer never has to call back for the rest. Any Navigator
//! service may publish these, which is why the item says where the change came from
//! (`origin`) and which version it is (`version`, for ordering and deduplication).
//!
//! Like every data type in this crate these structs tolerate fields they do not know (no
//! `deny_unknown_fields`): a producer may add an optional field without a new version, and
//! consumers built before it must keep working.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validate::{self, Validate, Violation};

/// Progress of an action item, as Navigator shows it. ADO states map onto these through
/// their state categories (SPEC §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionItemStatus {
    NotStarted,
    InProgress,
    Done,
}

/// Where a change was made. `Ado` marks a change `action-items` applied because ADO
/// reported it; `ado-sync` never pushes those back, which is what prevents update loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Navigator,
    Ado,
}

/// An action item as it is after the change the event reports (for `deleted`: as it was,
/// with the version of the deletion).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItemV1 {
    pub id: Uuid,
    pub company_id: Uuid,
    /// 1–255 characters.
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: ActionItemStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_email: Option<String>,
    /// `YYYY-MM-DD`, a calendar day without a time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    /// Starts at 1 and grows by one with every change; consumers drop what is not newer
    /// than what they already applied.
    pub version: i64,
    pub sync_to_ado: bool,
    pub origin: Origin,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The ADO revisions the item's values have caught up with, field by field: absent
    /// until a change made in ADO was applied to the field. `ado-sync` compares them with
    /// the changes it reported, to tell a value older than ADO's from an edit.
    #[serde(default, skip_serializing_if = "AdoRevisions::is_empty")]
    pub ado_revisions: AdoRevisions,
}

/// The newest ADO revision of each field that an item applied from ADO.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoRevisions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
}

impl AdoRevisions {
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.description.is_none() && self.status.is_none()
    }
}

/// `action_item.updated.v1`: the whole item (flattened, so the JSON has the same shape as
/// `created` plus one field) and the names of the fields this change touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItemUpdatedV1 {
    #[serde(flatten)]
    pub item: ActionItemV1,
    /// Names from [`changed_field`]. Consumers ignore names they do not know, so a field
    /// added to the action item later can be reported without a new version.
    pub changed_fields: Vec<String>,
}

/// The names that may appear in [`ActionItemUpdatedV1::changed_fields`].
pub mod changed_field {
    pub const TITLE: &str = "title";
    pub const DESCRIPTION: &str = "description";
    pub const STATUS: &str = "status";
    pub const ASSIGNEE_EMAIL: &str = "assignee_email";
    pub const DUE_DATE: &str = "due_date";
    pub const SYNC_TO_ADO: &str = "sync_to_ado";

    pub const ALL: [&str; 6] = [
        TITLE,
        DESCRIPTION,
        STATUS,
        ASSIGNEE_EMAIL,
        DUE_DATE,
        SYNC_TO_ADO,
    ];
}

impl Validate for ActionItemV1 {
    fn validate(&self) -> Result<(), Violation> {
        validate::title("title", &self.title)?;
        validate::at_least_one("version", self.version)
    }
}

impl Validate for ActionItemUpdatedV1 {
    fn validate(&self) -> Result<(), Violation> {
        self.item.validate()?;
        for (i, name) in self.changed_fields.iter().enumerate() {
            validate::not_empty(&format!("changed_fields[{i}]"), name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item() -> ActionItemV1 {
        ActionItemV1 {
            id: Uuid::nil(),
            company_id: Uuid::nil(),
            title: "Ship it".into(),
            description: None,
            status: ActionItemStatus::InProgress,
            assignee_email: None,
            due_date: NaiveDate::from_ymd_opt(2026, 12, 1),
            version: 2,
            sync_to_ado: true,
            origin: Origin::Navigator,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            ado_revisions: AdoRevisions::default(),
        }
    }

    #[test]
    fn status_and_origin_are_snake_case_on_the_wire() {
        let json = serde_json::to_value(item()).expect("serializes");
        assert_eq!(json["status"], "in_progress");
        assert_eq!(json["origin"], "navigator");
        assert_eq!(json["due_date"], "2026-12-01");
        assert_eq!(
            serde_json::to_value(ActionItemStatus::NotStarted).expect("serializes"),
            "not_started"
        );
    }

    #[test]
    fn absent_optional_fields_are_omitted_and_null_reads_as_absent() {
        let json = serde_json::to_value(item()).expect("serializes");
        assert!(json.get("description").is_none());
        assert!(json.get("assignee_email").is_none());

        let mut with_nulls = json.clone();
        with_nulls["description"] = json!(null);
        with_nulls["assignee_email"] = json!(null);
        let back: ActionItemV1 = serde_json::from_value(with_nulls).expect("nulls accepted");
        assert_eq!(back, item());
    }

    #[test]
    fn an_update_has_the_item_fields_at_the_top_level() {
        let update = ActionItemUpdatedV1 {
            item: item(),
            changed_fields: vec![changed_field::STATUS.into()],
        };
        let json = serde_json::to_value(&update).expect("serializes");
        assert_eq!(json["title"], "Ship it");
        assert_eq!(json["changed_fields"], json!(["status"]));
        let back: ActionItemUpdatedV1 = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, update);
    }

    #[test]
    fn a_version_below_one_is_refused() {
        let mut zero = item();
        zero.version = 0;
        assert_eq!(
            zero.validate().map_err(|v| v.field),
            Err("version".to_owned())
        );
    }

    #[test]
    fn an_empty_changed_field_name_is_refused() {
        let update = ActionItemUpdatedV1 {
            item: item(),
            changed_fields: vec!["title".into(), String::new()],
        };
        assert_eq!(
            update.validate().map_err(|v| v.field),
            Err("changed_fields[1]".to_owned())
        );
    }
}
