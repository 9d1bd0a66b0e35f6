//! Reading an ADO service hook body (ADO.md, "Service hooks") into what the ingress
//! publishes. It is lenient the way real deliveries demand: Microsoft's own sample has
//! `workItemId: 0` and `revisedBy: null`, `System.Rev` comes as strings in one payload
//! and numbers in another, "minimal" details carry little more than ids and a URL, and
//! "none" carries no resource at all. Values are passed on raw; interpreting them is
//! ado-sync's job (SPEC §9).
//!
//! A body is read into [`Body`], which holds only the members the ingress looks at, each
//! as a raw `Value` (so a member of an unexpected type is read as absent, never as an
//! error): the rest — messages, resource containers, most links — is skipped without
//! being built, which halves the cost of reading a delivery.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, NaiveDateTime, Utc};
use navsync_contracts::{FieldChange, ResourceDetails};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de::value::MapAccessDeserializer};
use serde_json::{Map, Value};

use crate::outcome::RejectReason;

/// The members of a service hook body the ingress reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    event_type: Option<Value>,
    subscription_id: Option<Value>,
    notification_id: Option<Value>,
    id: Option<Value>,
    created_date: Option<Value>,
    #[serde(default)]
    resource: Object<Resource>,
}

/// `resource`: an update (`workitem.updated`) or the work item itself (the others).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Resource {
    id: Option<Value>,
    work_item_id: Option<Value>,
    rev: Option<Value>,
    revised_by: Option<Value>,
    /// Present even when `null`: its presence says the details are "all".
    #[serde(default, deserialize_with = "present")]
    fields: Option<Value>,
    #[serde(default, rename = "_links")]
    links: Object<Links>,
    url: Option<Value>,
    /// Present even when not an object, for the same reason.
    #[serde(default, deserialize_with = "present")]
    revision: Option<Object<Revision>>,
}

#[derive(Debug, Default, Deserialize)]
struct Links {
    #[serde(default)]
    parent: Object<Href>,
    #[serde(default, rename = "self")]
    itself: Object<Href>,
}

#[derive(Debug, Default, Deserialize)]
struct Href {
    href: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct Revision {
    id: Option<Value>,
    rev: Option<Value>,
    fields: Option<Value>,
}

/// A member that is used only when it is a JSON object; any other value reads as absent.
#[derive(Debug)]
struct Object<T>(Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = Object<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|t| Object(Some(t)))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Object(None))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Object(None))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Object(None))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Object(None))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Object(None))
            }

            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Object(None))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Object(None))
            }
        }

        deserializer.deserialize_any(ObjectVisitor(PhantomData))
    }
}

/// For a member whose presence matters: `null` reads as present.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("The body is not JSON: {0}")]
    NotJson(serde_json::Error),
    #[error("The body must be a JSON object (an ADO service hook event).")]
    NotAnObject,
}

impl Body {
    /// Reads a body. A JSON object always reads, whatever its members hold.
    pub fn read(bytes: &[u8]) -> Result<Self, BodyError> {
        match serde_json::from_slice(bytes) {
            Ok(body) => Ok(body),
            // The fast path refuses what JSON allows (a member named twice, which a
            // `Value` resolves to its last occurrence) and says little about what is not
            // an object: the slow path decides, and explains.
            Err(_) => match serde_json::from_slice::<Value>(bytes) {
                Err(err) => Err(BodyError::NotJson(err)),
                Ok(value) if value.is_object() => Ok(Self::from_value(value)),
                Ok(_) => Err(BodyError::NotAnObject),
            },
        }
    }

    /// The members of an already parsed body; anything but an object reads as empty.
    pub fn from_value(value: Value) -> Self {
        Self::deserialize(value).unwrap_or_default()
    }
}

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
    /// subscription on probation for a 4xx), counted by the first (a bounded metrics
    /// label) and logged with the second.
    Rejected(RejectReason, String),
}

/// The `eventType` as a metrics label: one of a fixed set, so that a sender cannot grow
/// the label set.
pub fn event_type_label(body: &Body) -> &'static str {
    const KNOWN: [&str; 5] = [
        "workitem.updated",
        "workitem.deleted",
        "workitem.restored",
        "workitem.created",
        "workitem.commented",
    ];
    match body.event_type.as_ref().and_then(Value::as_str) {
        Some(t) => KNOWN.iter().find(|k| **k == t).copied().unwrap_or("other"),
        None => "unknown",
    }
}

pub fn parse(body: Body) -> Parsed {
    let kind = match body.event_type.as_ref().and_then(Value::as_str) {
        Some("workitem.updated") => Kind::Updated,
        Some("workitem.deleted") => Kind::Deleted,
        Some("workitem.restored") => Kind::Restored,
        Some(_) => return Parsed::Ignored,
        None => {
            return Parsed::Rejected(
                RejectReason::NoEventType,
                "the body has no eventType".into(),
            );
        }
    };
    let Some(key) = notification_key(&body) else {
        return Parsed::Rejected(
            RejectReason::NoNotificationKey,
            "neither subscriptionId and notificationId nor an event id: \
             the notification cannot be deduplicated"
                .into(),
        );
    };
    let created_date = body.created_date.as_ref().and_then(date);
    let event_id = event_id(&body);
    let resource_details = match &body.resource.0 {
        None => ResourceDetails::None,
        Some(r) if r.fields.is_some() || r.revision.is_some() => ResourceDetails::All,
        Some(_) => ResourceDetails::Minimal,
    };
    let resource = body.resource.0.unwrap_or_default();
    let Some(work_item_id) = work_item_id(kind, &resource) else {
        let why = if resource_details == ResourceDetails::None {
            "the resource is empty (resource details \"none\"): no work item id; \
             send \"all\" or \"minimal\" details"
        } else {
            "no work item id in the resource"
        };
        return Parsed::Rejected(RejectReason::NoWorkItemId, why.into());
    };
    let notification = match kind {
        Kind::Updated => {
            let revision = resource.revision.and_then(|r| r.0).unwrap_or_default();
            let revision_fields = object(revision.fields);
            let changed_fields = changed_fields(resource.fields);
            let new_value =
                |name: &str| changed_fields.get(name).and_then(|c| c.new_value.as_ref());
            let rev = resource
                .rev
                .as_ref()
                .and_then(int)
                .or_else(|| revision.rev.as_ref().and_then(int))
                .or_else(|| new_value("System.Rev").and_then(int));
            let revised_by = resource
                .revised_by
                .as_ref()
                .and_then(identity)
                .or_else(|| new_value("System.ChangedBy").and_then(text))
                .or_else(|| {
                    revision_fields
                        .as_ref()
                        .and_then(|f| f.get("System.ChangedBy"))
                        .and_then(text)
                });
            let revised_at = new_value("System.ChangedDate")
                .and_then(date)
                .or_else(|| {
                    revision_fields
                        .as_ref()
                        .and_then(|f| f.get("System.ChangedDate"))
                        .and_then(date)
                })
                .or(created_date);
            Notification {
                kind,
                key,
                work_item_id,
                rev,
                event_id,
                fields: revision_fields.map(to_btree),
                changed_fields,
                revised_by,
                revised_at,
                resource_details,
            }
        }
        Kind::Deleted | Kind::Restored => {
            let fields = object(resource.fields);
            let rev = resource.rev.as_ref().and_then(int).or_else(|| {
                fields
                    .as_ref()
                    .and_then(|f| f.get("System.Rev"))
                    .and_then(int)
            });
            Notification {
                kind,
                key,
                work_item_id,
                rev,
                event_id,
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

fn notification_key(body: &Body) -> Option<NotificationKey> {
    let subscription = body
        .subscription_id
        .as_ref()
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let notification = body.notification_id.as_ref().and_then(int);
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

fn event_id(body: &Body) -> Option<String> {
    body.id
        .as_ref()
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `workitem.updated`'s resource is an update whose own `id` is the update number, so the
/// work item is `workItemId`, else `revision.id`, else the id in `_links.parent.href`, else
/// the id in `url` (`.../workItems/42/updates/3`; the one place a minimal update with
/// `workItemId: 0` names it). The other events' resource is the work item itself.
fn work_item_id(kind: Kind, resource: &Resource) -> Option<i64> {
    let positive = |n: i64| (n >= 1).then_some(n);
    let href = |link: &Object<Href>| {
        link.0
            .as_ref()
            .and_then(|l| l.href.as_ref())
            .and_then(Value::as_str)
            .and_then(id_in_url)
    };
    let links = resource.links.0.as_ref();
    let url = || {
        resource
            .url
            .as_ref()
            .and_then(Value::as_str)
            .and_then(id_in_url)
    };
    let int_of = |value: &Option<Value>| value.as_ref().and_then(int);
    match kind {
        Kind::Updated => int_of(&resource.work_item_id)
            .and_then(positive)
            .or_else(|| {
                resource
                    .revision
                    .as_ref()
                    .and_then(|r| r.0.as_ref())
                    .and_then(|r| int_of(&r.id))
                    .and_then(positive)
            })
            .or_else(|| links.and_then(|l| href(&l.parent)))
            .or_else(url),
        Kind::Deleted | Kind::Restored => int_of(&resource.id)
            .and_then(positive)
            .or_else(url)
            .or_else(|| links.and_then(|l| href(&l.itself))),
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
fn changed_fields(fields: Option<Value>) -> BTreeMap<String, FieldChange> {
    let Some(fields) = object(fields) else {
        return BTreeMap::new();
    };
    fields
        .into_iter()
        .map(|(name, change)| {
            let change = match change {
                Value::Object(mut sides) => {
                    let mut side = |key: &str| sides.remove(key).filter(|v| !v.is_null());
                    FieldChange {
                        old_value: side("oldValue"),
                        new_value: side("newValue"),
                    }
                }
                // Not ADO's shape; keep the value rather than lose it.
                other => FieldChange {
                    old_value: None,
                    new_value: Some(other),
                },
            };
            (name, change)
        })
        .collect()
}

fn object(value: Option<Value>) -> Option<Map<String, Value>> {
    match value {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    }
}

fn to_btree(map: Map<String, Value>) -> BTreeMap<String, Value> {
    map.into_iter().collect()
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

    fn parsed(body: &Value) -> Parsed {
        parse(Body::from_value(body.clone()))
    }

    fn label(body: &Value) -> &'static str {
        event_type_label(&Body::from_value(body.clone()))
    }

    fn published(body: &Value) -> Notification {
        match parsed(body) {
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
            parsed(&fixture("docs-workitem.created.json")),
            Parsed::Ignored
        );
        assert_eq!(
            parsed(&fixture("docs-workitem.commented.json")),
            Parsed::Ignored
        );
        assert_eq!(parsed(&json!({"eventType": "git.push"})), Parsed::Ignored);
        assert_eq!(label(&json!({"eventType": "git.push"})), "other");
        assert_eq!(label(&json!({})), "unknown");
    }

    #[test]
    fn a_body_without_a_work_item_id_or_a_key_is_rejected_with_a_reason() {
        let mut body = fixture("workitem.updated.minimal.json");
        body["resource"] = json!({"id": 3, "workItemId": 0, "rev": 3});
        let no_id = RejectReason::NoWorkItemId;
        assert!(
            matches!(parsed(&body), Parsed::Rejected(w, r) if w == no_id && r.contains("work item id"))
        );
        body["resource"] = Value::Null;
        assert!(
            matches!(parsed(&body), Parsed::Rejected(w, r) if w == no_id && r.contains("\"none\""))
        );
        let mut body = fixture("workitem.updated.json");
        for key in ["subscriptionId", "notificationId", "id"] {
            body.as_object_mut().expect("object").remove(key);
        }
        assert!(
            matches!(parsed(&body), Parsed::Rejected(RejectReason::NoNotificationKey, r) if r.contains("deduplicated"))
        );
        assert!(matches!(
            parsed(&json!({})),
            Parsed::Rejected(RejectReason::NoEventType, _)
        ));
    }

    #[test]
    fn reading_the_bytes_skips_what_is_not_used_and_gives_what_the_whole_value_gives() {
        for name in [
            "workitem.updated.json",
            "workitem.updated.docs-shape.json",
            "workitem.updated.minimal.json",
            "docs-workitem.updated.json",
            "real-2021-workitem.updated.json",
            "workitem.deleted.json",
            "docs-workitem.restored.json",
            "docs-workitem.created.json",
        ] {
            let value = fixture(name);
            let bytes = serde_json::to_vec(&value).expect("json");
            let read = Body::read(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(parse(read), parsed(&value), "{name}");
        }
    }

    #[test]
    fn any_json_object_reads_and_anything_else_says_why_not() {
        // A member named twice is JSON all the same: the last one counts, as in a `Value`.
        let body = br#"{"eventType": "workitem.deleted", "eventType": "workitem.restored",
            "id": "e1", "resource": {"id": 7}}"#;
        let read = Body::read(body).expect("read");
        assert!(matches!(parse(read), Parsed::Publish(n) if n.kind == Kind::Restored));
        // Members of unexpected types read as absent, never as an error.
        let body = br#"{"eventType": 5, "resource": [1, {"a": 2}], "createdDate": {}}"#;
        assert_eq!(
            label(&serde_json::from_slice(body).expect("json")),
            "unknown"
        );
        assert!(matches!(
            parse(Body::read(body).expect("read")),
            Parsed::Rejected(RejectReason::NoEventType, _)
        ));
        let body = br#"{"eventType": "workitem.updated", "id": "e2",
            "resource": {"workItemId": "9", "_links": "no", "revision": 3}}"#;
        let n = match parse(Body::read(body).expect("read")) {
            Parsed::Publish(n) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            (n.work_item_id, n.resource_details),
            (9, ResourceDetails::All)
        );
        assert!(matches!(Body::read(b"[1, 2]"), Err(BodyError::NotAnObject)));
        assert!(matches!(
            Body::read(b"{\"a\": }"),
            Err(BodyError::NotJson(_))
        ));
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
