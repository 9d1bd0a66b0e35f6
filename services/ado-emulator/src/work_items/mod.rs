//! Work items as the emulator stores them, per organization: fields in their canonical
//! form (identities as `"Display Name <unique@name>"`, dates as RFC 3339 in UTC), link
//! relations, and the recycle bin. Changing them is [`edit`]'s job; showing them is
//! [`render`]'s; finding them by WIQL is [`wiql`]'s.

mod apply;
mod change;
pub(crate) mod edit;
pub(crate) mod fields;
pub(crate) mod patch;
pub(crate) mod render;
mod values;
pub(crate) mod wiql;

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// `System.RevisedDate` of the latest revision: "not revised yet".
pub(crate) const END_OF_TIME: &str = "9999-01-01T00:00:00Z";

/// ADO's date format in work items: UTC with milliseconds.
pub(crate) fn format_date(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Debug, Clone)]
pub(crate) struct WorkItem {
    pub(crate) id: u32,
    pub(crate) project_id: Uuid,
    pub(crate) rev: u32,
    /// Keyed by reference name as the catalogue spells it.
    pub(crate) fields: BTreeMap<String, Value>,
    pub(crate) relations: Vec<Relation>,
    /// Set while the work item is in the recycle bin.
    pub(crate) deleted: Option<Deletion>,
}

impl WorkItem {
    pub(crate) fn field_str(&self, name: &str) -> &str {
        self.fields.get(name).and_then(Value::as_str).unwrap_or("")
    }

    pub(crate) fn work_item_type(&self) -> &str {
        self.field_str("System.WorkItemType")
    }

    pub(crate) fn title(&self) -> &str {
        self.field_str("System.Title")
    }
}

/// A link from a work item: a hyperlink, an artifact, or another work item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Relation {
    pub(crate) rel: String,
    pub(crate) url: String,
    pub(crate) attributes: Map<String, Value>,
}

impl Relation {
    pub(crate) fn to_json(&self) -> Value {
        serde_json::json!({"rel": self.rel, "url": self.url, "attributes": self.attributes})
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Deletion {
    pub(crate) at: DateTime<Utc>,
    /// `"Display Name <unique@name>"`.
    pub(crate) by: String,
}

/// An organization's work items. Ids are per organization, from 1, never reused.
#[derive(Debug, Default)]
pub(crate) struct WorkItemStore {
    pub(crate) items: BTreeMap<u32, WorkItem>,
    next_id: u32,
    /// `System.Watermark`: increases with every revision anywhere in the organization.
    watermark: u64,
    next_link_id: u64,
}

impl WorkItemStore {
    pub(crate) fn take_id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn next_watermark(&mut self) -> u64 {
        self.watermark += 1;
        self.watermark
    }

    pub(crate) fn take_link_id(&mut self) -> u64 {
        self.next_link_id += 1;
        self.next_link_id
    }

    /// A live work item (not in the recycle bin).
    pub(crate) fn live(&self, id: u32) -> Option<&WorkItem> {
        self.items.get(&id).filter(|w| w.deleted.is_none())
    }
}

/// A work item as tests see it through [`crate::Emulator::work_items`]: every stored
/// field, identities as `"Display Name <unique@name>"`, recycled ones included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkItemSnapshot {
    pub id: u32,
    pub rev: u32,
    /// The project's id.
    pub project: Uuid,
    #[serde(rename = "isDeleted")]
    pub is_deleted: bool,
    pub fields: Map<String, Value>,
    /// `{"rel", "url", "attributes"}` each.
    pub relations: Vec<Value>,
}

impl WorkItemSnapshot {
    /// A field's value, `None` when the work item has no such field.
    pub fn field(&self, reference_name: &str) -> Option<&Value> {
        self.fields.get(reference_name)
    }

    /// A text field's value, `""` when absent or not text.
    pub fn text(&self, reference_name: &str) -> &str {
        self.field(reference_name)
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

impl From<&WorkItem> for WorkItemSnapshot {
    fn from(item: &WorkItem) -> Self {
        Self {
            id: item.id,
            rev: item.rev,
            project: item.project_id,
            is_deleted: item.deleted.is_some(),
            fields: item
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            relations: item.relations.iter().map(Relation::to_json).collect(),
        }
    }
}

/// A URL path segment: everything but RFC 3986's unreserved characters percent-encoded
/// (project names and work item types hold spaces).
pub(crate) fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `"Display Name <unique@name>"` split into its parts; a bare name is both.
pub(crate) fn split_identity(text: &str) -> (&str, &str) {
    let text = text.trim();
    if let Some(open) = text.rfind('<')
        && let Some(unique) = text[open + 1..].strip_suffix('>')
    {
        let display = text[..open].trim();
        let unique = unique.trim();
        return (if display.is_empty() { unique } else { display }, unique);
    }
    (text, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode_segment("Navigator Demo"), "Navigator%20Demo");
        assert_eq!(encode_segment("User Story"), "User%20Story");
        assert_eq!(encode_segment("a-b_c.d~e"), "a-b_c.d~e");
    }

    #[test]
    fn an_identity_string_splits_into_display_and_unique_name() {
        assert_eq!(
            split_identity("Board User <board.user@example.com>"),
            ("Board User", "board.user@example.com")
        );
        assert_eq!(
            split_identity("someone@example.com"),
            ("someone@example.com", "someone@example.com")
        );
        assert_eq!(split_identity("<a@b>"), ("a@b", "a@b"));
    }
}
