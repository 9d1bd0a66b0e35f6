//! Reading an ADO service hook body (ADO.md, "Service hooks") into what the ingress
//! publishes. It is lenient the way real deliveries demand: Microsoft's own sample has
//! `workItemId: 0` and `revisedBy: null`, `System.Rev` comes as strings in one payload
//! and numbers in another, "minimal" details carry little more than ids and a URL, and
//! "none" carries no resource at all. Values are passed on raw; interpreting them is
//! ado-sync's job (SPEC §9).
//!
//! A body is read as a `serde_json::Value`, not a typed struct, because the shapes vary
//! too much for one: every field is optional here, and only the work item id and a key to
//! deduplicate on are required to publish anything.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use navsync_contracts::{FieldChange, ResourceDetails};
use serde_json::{Map, Value};

/// The event types the ingress publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Updated,
    Deleted,
    Restored,
}

/// Which notification this is, for deduplication downstream: ADO's subscription and its
/// per-subscription notification number, or — for a body without them, like Microsoft's
/// documentation samples — ADO's event id as `event:<id>` with notification 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationKey {
    pub subscription_id: String,
    pub notification_id: i64,
}

/// A notification the ingress publishes, before the integration's own fields are added.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub kind: Kind,
    pub key: NotificationKey,
    pub work_item_id: i64,
    pub rev: Option<i64>,
    pub event_id: Option<String>,
    pub changed_fields: BTreeMap<String, FieldChange>,
    pub fields: Option<BTreeMap<String, Value>>,
    pub revised_by: Option<String>,
    pub revised_at: Option<DateTime<Utc>>,
    pub resource_details: ResourceDetails,
}

/// What to do with a body.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Publish(Box<Notification>),
    /// Another event type (`workitem.created`, `workitem.commented`, ...): not ours.
    Ignored,
    /// One of our types, but unusable; answered 200 all the same (ADO would put the
    /// subscription on probation for a 4xx), counted and logged with this reason.
    Rejected(String),
}

/// The `eventType` as a metrics label: one of a fixed set, so that a sender cannot grow
/// the label set.
pub fn event_type_label(body: &Value) -> &'static str {
    const KNOWN: [&str; 5] = [
        "workitem.updated",
        "workitem.deleted",
        "workitem.restored",
        "workitem.created",
        "workitem.commented",
    ];
    match body.get("eventType").and_then(Value::as_str) {
        Some(t) => KNOWN.iter().find(|k| **k == t).copied().unwrap_or("other"),
        None => "unknown",
    }
}

pub fn parse(body: &Value) -> Parsed {
    let kind = match body.get("eventType").and_then(Value::as_str) {
        Some("workitem.updated") => Kind::Updated,
        Some("workitem.deleted") => Kind::Deleted,
        Some("workitem.restored") => Kind::Restored,
        Some(_) => return Parsed::Ignored,
        None => return Parsed::Rejected("the body has no eventType".into()),
    };
    let Some(key) = notification_key(body) else {
        return Parsed::Rejected(
            "neither subscriptionId and notificationId nor an event id: \
             the notification cannot be deduplicated"
                .into(),
        );
    };
    let resource = body.get("resource").and_then(Value::as_object);
    let resource_details = match resource {
        None => ResourceDetails::None,
        Some(r) if r.contains_key("fields") || r.contains_key("revision") => ResourceDetails::All,
        Some(_) => ResourceDetails::Minimal,
    };
    let empty = Map::new();
    let resource = resource.unwrap_or(&empty);
    let Some(work_item_id) = work_item_id(kind, resource) else {
        let why = if resource_details == ResourceDetails::None {
            "the resource is empty (resource details \"none\"): no work item id; \
             send \"all\" or \"minimal\" details"
        } else {
            "no work item id in the resource"
        };
        return Parsed::Rejected(why.into());
    };
    let created_date = body.get("createdDate").and_then(date);
    let notification = match kind {
        Kind::Updated => {
            let revision = resource.get("revision").and_then(Value::as_object);
            let revision_fields = revision
                .and_then(|r| r.get("fields"))
                .and_then(Value::as_object);
            let changed_fields = changed_fields(resource.get("fields"));
            let new_value =
                |name: &str| changed_fields.get(name).and_then(|c| c.new_value.as_ref());
            let rev = int_at(resource, "rev")
                .or_else(|| revision.and_then(|r| int_at(r, "rev")))
                .or_else(|| new_value("System.Rev").and_then(int));
            let revised_by = resource
                .get("revisedBy")
                .and_then(identity)
                .or_else(|| new_value("System.ChangedBy").and_then(text))
                .or_else(|| {
                    revision_fields
                        .and_then(|f| f.get("System.ChangedBy"))
                        .and_then(text)
                });
            let revised_at = new_value("System.ChangedDate")
                .and_then(date)
                .or_else(|| {
                    revision_fields
                        .and_then(|f| f.get("System.ChangedDate"))
                        .and_then(date)
                })
                .or(created_date);
            Notification {
                kind,
                key,
                work_item_id,
                rev,
                event_id: event_id(body),
                fields: revision_fields.map(to_btree),
                changed_fields,
                revised_by,
                revised_at,
                resource_details,
            }
        }
        Kind::Deleted | Kind::Restored => {
            let fields = resource.get("fields").and_then(Value::as_object);
            let rev = int_at(resource, "rev")
                .or_else(|| fields.and_then(|f| f.get("System.Rev")).and_then(int));
            Notification {
                kind,
                key,
                work_item_id,
                rev,
                event_id: event_id(body),
                changed_fields: BTreeMap::new(),
                fields: fields.map(to_btree),
                // Deleting and restoring make no revision: the payload names nobody.
                revised_by: None,
                revised_at: created_date,
                resource_details,
            }
        }
    };
    Parsed::Publish(Box::new(Notification {
        // A revision is counted from 1; anything else is not a revision.
        rev: notification.rev.filter(|r| *r >= 1),
        ..notification
    }))
}

fn notification_key(body: &Value) -> Option<NotificationKey> {
    let subscription = body
        .get("subscriptionId")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let notification = body.get("notificationId").and_then(int);
    match (subscription, notification) {
        (Some(s), Some(n)) => Some(NotificationKey {
            subscription_id: s.to_owned(),
            notification_id: n,
        }),
        _ => event_id(body).map(|id| NotificationKey {
            subscription_id: format!("event:{id}"),
            notification_id: 0,
        }),
    }
}

fn event_id(body: &Value) -> Option<String> {
    body.get("id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `workitem.updated`'s resource is an update whose own `id` is the update number, so the
/// work item is `workItemId`, else `revision.id`, else the id in `_links.parent.href`, else
/// the id in `url` (`.../workItems/42/updates/3`; the one place a minimal update with
/// `workItemId: 0` names it). The other events' resource is the work item itself.
fn work_item_id(kind: Kind, resource: &Map<String, Value>) -> Option<i64> {
    let positive = |n: i64| (n >= 1).then_some(n);
    let href = |name: &str| {
        resource
            .get("_links")
            .and_then(|l| l.get(name))
            .and_then(|l| l.get("href"))
            .and_then(Value::as_str)
            .and_then(id_in_url)
    };
    let url = || {
        resource
            .get("url")
            .and_then(Value::as_str)
            .and_then(id_in_url)
    };
    match kind {
        Kind::Updated => int_at(resource, "workItemId")
            .and_then(positive)
            .or_else(|| {
                resource
                    .get("revision")
                    .and_then(Value::as_object)
                    .and_then(|r| int_at(r, "id"))
                    .and_then(positive)
            })
            .or_else(|| href("parent"))
            .or_else(url),
        Kind::Deleted | Kind::Restored => int_at(resource, "id")
            .and_then(positive)
            .or_else(url)
            .or_else(|| href("self")),
    }
}

/// The number after `workItems` or `recyclebin` in an ADO URL.
fn id_in_url(url: &str) -> Option<i64> {
    let path = url.split(['?', '#']).next()?;
    let mut segments = path.split('/');
    while let Some(segment) = segments.next() {
        if segment.eq_ignore_ascii_case("workitems") || segment.eq_ignore_ascii_case("recyclebin") {
            return segments.next()?.parse::<i64>().ok().filter(|n| *n >= 1);
        }
    }
    None
}

/// `resource.fields` of an update: `{name: {oldValue, newValue}}`.
fn changed_fields(fields: Option<&Value>) -> BTreeMap<String, FieldChange> {
    let Some(fields) = fields.and_then(Value::as_object) else {
        return BTreeMap::new();
    };
    fields
        .iter()
        .map(|(name, change)| {
            let side = |key: &str| change.get(key).filter(|v| !v.is_null()).cloned();
            let change = if change.is_object() {
                FieldChange {
                    old_value: side("oldValue"),
                    new_value: side("newValue"),
                }
            } else {
                // Not ADO's shape; keep the value rather than lose it.
                FieldChange {
                    old_value: None,
                    new_value: Some(change.clone()),
                }
            };
            (name.clone(), change)
        })
        .collect()
}

fn to_btree(map: &Map<String, Value>) -> BTreeMap<String, Value> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn int_at(object: &Map<String, Value>, key: &str) -> Option<i64> {
    object.get(key).and_then(int)
}

/// An integer sent as a number or as a string (`System.Rev` comes both ways).
fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `revisedBy` as `Name <unique name>`, the way ADO writes identities in fields.
fn identity(value: &Value) -> Option<String> {
    let field = |key: &str| value.get(key).and_then(text);
    match (field("displayName"), field("uniqueName")) {
        (Some(name), Some(unique)) => Some(format!("{name} <{unique}>")),
        (name, unique) => field("name").or(name).or(unique),
    }
}

/// An ADO date: RFC 3339, or without an offset (then UTC, as ADO means it).
fn date(value: &Value) -> Option<DateTime<Utc>> {
    let s = value.as_str()?.trim();
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|d| d.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn published(body: &Value) -> Notification {
        match parse(body) {
            Parsed::Publish(n) => *n,
            other => panic!("not published: {other:?}"),
        }
    }

    #[test]
    fn the_docs_shaped_update_takes_the_id_from_the_revision_and_the_author_from_changed_by() {
        let n = published(&fixture("workitem.updated.docs-shape.json"));
        assert_eq!(n.kind, Kind::Updated);
        assert_eq!((n.work_item_id, n.rev), (42, Some(3)));
        assert_eq!(
            n.key.subscription_id,
            "a3c1f7d2-55e0-4b8e-9c61-0d2f4e6b8a10"
        );
        assert_eq!(n.key.notification_id, 17);
        assert_eq!(
            n.revised_by.as_deref(),
            Some("Board User <board.user@example.com>")
        );
        assert_eq!(
            n.changed_fields["System.State"].new_value,
            Some(json!("Active"))
        );
        assert_eq!(n.resource_details, ResourceDetails::All);
        assert_eq!(
            n.revised_at.map(|d| d.to_rfc3339()),
            Some("2026-03-02T10:15:00.123+00:00".into())
        );
    }

    #[test]
    fn microsofts_docs_sample_with_string_revs_and_no_subscription_is_keyed_on_its_event_id() {
        let n = published(&fixture("docs-workitem.updated.json"));
        assert_eq!((n.work_item_id, n.rev), (5, Some(2)));
        assert_eq!(
            n.key.subscription_id,
            "event:27646e0e-b520-4d2b-9411-bba7524947cd"
        );
        assert_eq!(n.key.notification_id, 0);
        assert_eq!(n.changed_fields["System.Rev"].old_value, Some(json!("1")));
        assert_eq!(n.changed_fields["System.AssignedTo"].old_value, None);
        assert_eq!(n.revised_by.as_deref(), Some("Jamal Hartnett"));
    }

    #[test]
    fn the_real_2021_delivery_is_read_with_numeric_revs_and_its_identity() {
        let n = published(&fixture("real-2021-workitem.updated.json"));
        assert_eq!((n.work_item_id, n.rev), (13, Some(2)));
        assert_eq!(n.revised_by.as_deref(), Some("欧俊 <luacloud@gmail.com>"));
        assert_eq!(n.changed_fields["System.Rev"].new_value, Some(json!(2)));
        assert_eq!(
            n.fields.as_ref().map(|f| f["System.Title"].clone()),
            Some(json!("创建一个bug"))
        );
    }

    #[test]
    fn a_minimal_update_says_so_and_carries_no_fields() {
        let n = published(&fixture("workitem.updated.minimal.json"));
        assert_eq!((n.work_item_id, n.rev), (42, Some(3)));
        assert_eq!(n.resource_details, ResourceDetails::Minimal);
        assert!(n.changed_fields.is_empty());
        assert_eq!(n.fields, None);
    }

    #[test]
    fn a_minimal_update_with_work_item_id_zero_is_read_from_its_url() {
        let mut body = fixture("workitem.updated.minimal.json");
        body["resource"]["workItemId"] = json!(0);
        assert_eq!(published(&body).work_item_id, 42);
    }

    #[test]
    fn only_the_parent_link_names_the_work_item_when_the_rest_is_missing() {
        let mut body = fixture("workitem.updated.docs-shape.json");
        let resource = body["resource"].as_object_mut().expect("object");
        resource.remove("revision");
        resource.remove("url");
        assert_eq!(published(&body).work_item_id, 42);
    }

    #[test]
    fn deleted_and_restored_take_the_work_item_itself() {
        let n = published(&fixture("workitem.deleted.json"));
        assert_eq!(
            (n.kind, n.work_item_id, n.rev),
            (Kind::Deleted, 42, Some(3))
        );
        assert!(n.changed_fields.is_empty());
        assert_eq!(
            n.fields.as_ref().map(|f| f["System.Title"].clone()),
            Some(json!("Agree a definition of done"))
        );
        let n = published(&fixture("docs-workitem.restored.json"));
        assert_eq!(
            (n.kind, n.work_item_id, n.rev),
            (Kind::Restored, 5, Some(1))
        );
        let n = published(&fixture("docs-workitem.deleted.json"));
        assert_eq!((n.kind, n.work_item_id), (Kind::Deleted, 5));
    }

    #[test]
    fn other_event_types_are_ignored() {
        assert_eq!(
            parse(&fixture("docs-workitem.created.json")),
            Parsed::Ignored
        );
        assert_eq!(
            parse(&fixture("docs-workitem.commented.json")),
            Parsed::Ignored
        );
        assert_eq!(parse(&json!({"eventType": "git.push"})), Parsed::Ignored);
        assert_eq!(event_type_label(&json!({"eventType": "git.push"})), "other");
        assert_eq!(event_type_label(&json!({})), "unknown");
    }

    #[test]
    fn a_body_without_a_work_item_id_or_a_key_is_rejected_with_a_reason() {
        let mut body = fixture("workitem.updated.minimal.json");
        body["resource"] = json!({"id": 3, "workItemId": 0, "rev": 3});
        assert!(matches!(parse(&body), Parsed::Rejected(r) if r.contains("work item id")));
        body["resource"] = Value::Null;
        assert!(matches!(parse(&body), Parsed::Rejected(r) if r.contains("\"none\"")));
        let mut body = fixture("workitem.updated.json");
        for key in ["subscriptionId", "notificationId", "id"] {
            body.as_object_mut().expect("object").remove(key);
        }
        assert!(matches!(parse(&body), Parsed::Rejected(r) if r.contains("deduplicated")));
        assert!(matches!(parse(&json!({})), Parsed::Rejected(_)));
    }

    #[test]
    fn ids_come_out_of_ado_urls_and_nothing_else() {
        assert_eq!(
            id_in_url("https://x/org/p/_apis/wit/workItems/42/updates/3"),
            Some(42)
        );
        assert_eq!(
            id_in_url("https://x/org/_apis/wit/recyclebin/7?api-version=7.1"),
            Some(7)
        );
        assert_eq!(id_in_url("https://x/org/_apis/wit/workitems/0"), None);
        assert_eq!(id_in_url("https://x/org/_apis/wit/fields"), None);
        assert_eq!(id_in_url("https://x/workItems/abc"), None);
    }

    #[test]
    fn dates_without_an_offset_are_utc() {
        assert_eq!(
            date(&json!("2014-07-15T17:42:44.663")).map(|d| d.to_rfc3339()),
            Some("2014-07-15T17:42:44.663+00:00".into())
        );
        assert_eq!(date(&json!("yesterday")), None);
    }
}
