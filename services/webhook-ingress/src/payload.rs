//! Reading an ADO service hook body (ADO.md, "Service hooks") into what the ingress
//! publishes. It is lenient the way real deliveries demand: Microsoft's own sample has
//! `workItemId: 0` and `revisedBy: null`, `System.Rev` comes as strings in one payload
//! and numbers in another, "minimal" details carry little more than ids and a URL, and
//! "none" carries no resource at all. Values are passed on raw; interpreting them is
//! ado-sync's job (SPEC §9).
//!
//! A body is read into [`Body`], which holds only the members the ingress looks at (a
//! member of an unexpected type reads as absent, never as an error): the rest — messages,
//! resource containers, most links — is skipped without being built. ADO's field values
//! are kept as the JSON text of the delivery ([`RawValue`]) and go into the event as they
//! came: the ingress never looks inside them, and building and writing them again was
//! most of its work per webhook.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, NaiveDateTime, Utc};
use navsync_contracts::{RawFieldChange, RawJson, ResourceDetails};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de::value::MapAccessDeserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::outcome::RejectReason;

pub use navsync_contracts::AdoWorkItemKind as Kind;

/// The members of a service hook body the ingress reads, borrowed from the body. This and
/// the structs below say once that the body outlives them (`'de: 'a`), instead of
/// `borrow` on every member.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
pub struct Body<'a> {
    event_type: Option<Scalar<'a>>,
    subscription_id: Option<Scalar<'a>>,
    notification_id: Option<Scalar<'a>>,
    id: Option<Scalar<'a>>,
    created_date: Option<Scalar<'a>>,
    #[serde(default)]
    resource: Object<Resource<'a>>,
}

/// `resource`: an update (`workitem.updated`) or the work item itself (the others).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
struct Resource<'a> {
    id: Option<Scalar<'a>>,
    work_item_id: Option<Scalar<'a>>,
    rev: Option<Scalar<'a>>,
    /// An identity object; only its names are read (the rest is skipped unbuilt).
    #[serde(default)]
    revised_by: Object<Identity<'a>>,
    /// Present even when `null`: its presence says the details are "all".
    #[serde(default, deserialize_with = "present")]
    fields: Option<&'a RawValue>,
    #[serde(default, rename = "_links")]
    links: Object<Links<'a>>,
    url: Option<Scalar<'a>>,
    /// Present even when not an object, for the same reason.
    #[serde(default, deserialize_with = "present")]
    revision: Option<Object<Revision<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "'de: 'a"))]
struct Identity<'a> {
    display_name: Option<Scalar<'a>>,
    unique_name: Option<Scalar<'a>>,
    name: Option<Scalar<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
struct Links<'a> {
    #[serde(default)]
    parent: Object<Href<'a>>,
    #[serde(default, rename = "self")]
    itself: Object<Href<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
struct Href<'a> {
    href: Option<Scalar<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(bound(deserialize = "'de: 'a"))]
struct Revision<'a> {
    id: Option<Scalar<'a>>,
    rev: Option<Scalar<'a>>,
    fields: Option<&'a RawValue>,
}

/// A member the ingress reads as text or as an integer, whatever ADO sent: a string
/// (borrowed from the body unless it holds escapes), an integer, or anything else (a
/// fraction, a boolean, an object, an array), skipped unbuilt. A `Value` in its place
/// made a string of every one read — ten allocations a webhook.
#[derive(Debug, Clone, PartialEq)]
enum Scalar<'a> {
    Str(Cow<'a, str>),
    /// An integer that fits in `i64` (as `Value::as_i64` reads numbers).
    Int(i64),
    Other,
}

impl Scalar<'_> {
    fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Int(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v).map_or(Scalar::Other, Scalar::Int))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
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

impl<'a> Body<'a> {
    /// Reads a body. A JSON object always reads, whatever its members hold; `spare` keeps
    /// the body rewritten when it had to be (see below), for the result to borrow from.
    pub fn read(bytes: &'a [u8], spare: &'a mut Option<Vec<u8>>) -> Result<Self, BodyError> {
        // Checked as UTF-8 once, the body is read as `str`: from bytes serde_json checks
        // each string it borrows again, which cost more than the one pass.
        let fast = match std::str::from_utf8(bytes) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(bytes),
        };
        match fast {
            Ok(body) => Ok(body),
            // The fast path refuses what JSON allows (a member named twice, which a
            // `Value` resolves to its last occurrence) and says little about what is not
            // an object: the slow path decides and explains, and what it keeps is read
            // again as written back without the repeats.
            Err(_) => match serde_json::from_slice::<Value>(bytes) {
                Err(err) => Err(BodyError::NotJson(err)),
                Ok(value) if value.is_object() => {
                    let rewritten = spare.insert(value.to_string().into_bytes());
                    serde_json::from_slice(rewritten).map_err(BodyError::NotJson)
                }
                Ok(_) => Err(BodyError::NotAnObject),
            },
        }
    }
}

/// Which notification this is, for deduplication downstream: ADO's subscription and its
/// per-subscription notification number, or — for a body without them, like Microsoft's
/// documentation samples — ADO's event id as `event:<id>` with notification 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationKey {
    pub subscription_id: String,
    pub notification_id: i64,
}

/// A notification the ingress publishes, before the integration's own fields are added;
/// ADO's values borrowed from the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification<'a> {
    pub kind: Kind,
    pub key: NotificationKey,
    pub work_item_id: i64,
    pub rev: Option<i64>,
    pub event_id: Option<String>,
    pub changed_fields: ChangedFields<'a>,
    /// A JSON object: the work item's fields.
    pub fields: Option<RawJson<'a>>,
    pub revised_by: Option<String>,
    pub revised_at: Option<DateTime<Utc>>,
    pub resource_details: ResourceDetails,
}

impl Notification<'_> {
    /// The same notification, owning its values.
    pub fn into_owned(self) -> Notification<'static> {
        let own = RawJson::into_owned;
        Notification {
            changed_fields: self
                .changed_fields
                .into_iter()
                .map(|(name, change)| {
                    let change = RawFieldChange {
                        old_value: change.old_value.map(own),
                        new_value: change.new_value.map(own),
                    };
                    (Cow::Owned(name.into_owned()), change)
                })
                .collect(),
            fields: self.fields.map(own),
            kind: self.kind,
            key: self.key,
            work_item_id: self.work_item_id,
            rev: self.rev,
            event_id: self.event_id,
            revised_by: self.revised_by,
            revised_at: self.revised_at,
            resource_details: self.resource_details,
        }
    }
}

/// What to do with a body.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed<'a> {
    Publish(Box<Notification<'a>>),
    /// Another event type (`workitem.created`, `workitem.commented`, ...): not ours.
    Ignored,
    /// One of our types, but unusable; answered 200 all the same (ADO would put the
    /// subscription on probation for a 4xx), counted by the first (a bounded metrics
    /// label) and logged with the second.
    Rejected(RejectReason, String),
}

impl Parsed<'_> {
    /// The same answer, owning its values.
    pub fn into_owned(self) -> Parsed<'static> {
        match self {
            Parsed::Publish(n) => Parsed::Publish(Box::new(n.into_owned())),
            Parsed::Ignored => Parsed::Ignored,
            Parsed::Rejected(why, reason) => Parsed::Rejected(why, reason),
        }
    }
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
    match body.event_type.as_ref().and_then(Scalar::as_str) {
        Some(t) => KNOWN.iter().find(|k| **k == t).copied().unwrap_or("other"),
        None => "unknown",
    }
}

pub fn parse(body: Body<'_>) -> Parsed<'_> {
    let kind = match body.event_type.as_ref().and_then(Scalar::as_str) {
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
            let revision_fields = revision.fields.filter(|f| is_object(f));
            let stamp = || revision_fields.map(Stamp::of).unwrap_or_default();
            let changed_fields = changed_fields(resource.fields);
            let new_value = |name: &str| {
                changed_fields
                    .get(name)
                    .and_then(|c| c.new_value.as_deref())
                    .and_then(value)
            };
            let rev = resource
                .rev
                .as_ref()
                .and_then(int)
                .or_else(|| revision.rev.as_ref().and_then(int))
                .or_else(|| new_value("System.Rev").as_ref().and_then(int));
            let revised_by = resource
                .revised_by
                .0
                .as_ref()
                .and_then(identity)
                .or_else(|| new_value("System.ChangedBy").as_ref().and_then(text))
                .or_else(|| stamp().changed_by.as_ref().and_then(text));
            let revised_at = new_value("System.ChangedDate")
                .as_ref()
                .and_then(date)
                .or_else(|| stamp().changed_date.as_ref().and_then(date))
                .or(created_date);
            Notification {
                kind,
                key,
                work_item_id,
                rev,
                event_id,
                fields: revision_fields.map(RawJson::borrowed),
                changed_fields,
                revised_by,
                revised_at,
                resource_details,
            }
        }
        Kind::Deleted | Kind::Restored => {
            let fields = resource.fields.filter(|f| is_object(f));
            let rev = resource.rev.as_ref().and_then(int).or_else(|| {
                fields
                    .map(Stamp::of)
                    .and_then(|s| s.rev)
                    .as_ref()
                    .and_then(int)
            });
            Notification {
                kind,
                key,
                work_item_id,
                rev,
                event_id,
                changed_fields: BTreeMap::new(),
                fields: fields.map(RawJson::borrowed),
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
        .and_then(Scalar::as_str)
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
        .and_then(Scalar::as_str)
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
            .and_then(Scalar::as_str)
            .and_then(id_in_url)
    };
    let links = resource.links.0.as_ref();
    let url = || {
        resource
            .url
            .as_ref()
            .and_then(Scalar::as_str)
            .and_then(id_in_url)
    };
    let int_of = |value: &Option<Scalar>| value.as_ref().and_then(int);
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

/// `resource.fields` of an update: `{name: {oldValue, newValue}}`, each side as sent.
fn changed_fields(fields: Option<&RawValue>) -> ChangedFields<'_> {
    let Some(fields) = fields.filter(|f| is_object(f)) else {
        return BTreeMap::new();
    };
    // `fields` is JSON already read once, and a change reads from any JSON value: this
    // cannot fail. A name given twice keeps its last change, as in a `Value`.
    serde_json::from_str::<Changes<'_>>(fields.get())
        .map(|changes| changes.0)
        .unwrap_or_default()
}

/// The changes of an update by field name, as the event carries them.
pub type ChangedFields<'a> = BTreeMap<Cow<'a, str>, RawFieldChange<'a>>;

/// [`ChangedFields`] read straight from the body: a name without escapes is borrowed, and
/// no map is built only to be turned into another (callgrind: ~18 allocations a webhook).
struct Changes<'a>(ChangedFields<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Changes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChangesVisitor<'a>(PhantomData<&'a ()>);

        impl<'de: 'a, 'a> Visitor<'de> for ChangesVisitor<'a> {
            type Value = Changes<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of field changes")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut changes = BTreeMap::new();
                while let Some(Name(name)) = map.next_key()? {
                    let change: Change<'a> = map.next_value()?;
                    changes.insert(name, change.0);
                }
                Ok(Changes(changes))
            }
        }

        deserializer.deserialize_map(ChangesVisitor(PhantomData))
    }
}

/// A field name, borrowed from the body unless it had to be unescaped (read as a
/// [`Scalar`], whose text is exactly that).
struct Name<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Name<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Scalar::deserialize(deserializer)? {
            Scalar::Str(name) => Ok(Name(name)),
            _ => Err(de::Error::custom("a field name must be a string")),
        }
    }
}

/// One change: ADO's `{oldValue, newValue}` (a `null` side is no side; a side named twice
/// keeps the last, as in a `Value`), or any other value, kept as the new value rather
/// than lost. Read in one pass over the change, its sides borrowed from the body.
struct Change<'a>(RawFieldChange<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Change<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ChangeVisitor(PhantomData))
    }
}

#[derive(Deserialize)]
enum Side {
    #[serde(rename = "oldValue")]
    Old,
    #[serde(rename = "newValue")]
    New,
    #[serde(other)]
    Other,
}

struct ChangeVisitor<'a>(PhantomData<&'a ()>);

impl ChangeVisitor<'_> {
    /// A change that is not an object: its value is the new value, written back by
    /// serde_json (its text as sent is not at hand here; it is the same JSON).
    fn whole<T: serde::Serialize + ?Sized, E: de::Error>(value: &T) -> Result<Change<'static>, E> {
        let raw = serde_json::value::to_raw_value(value).map_err(E::custom)?;
        Ok(Change(RawFieldChange {
            old_value: None,
            new_value: Some(RawJson::owned(raw)),
        }))
    }
}

impl<'de: 'a, 'a> Visitor<'de> for ChangeVisitor<'a> {
    type Value = Change<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field change")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut old_value, mut new_value) = (None, None);
        while let Some(side) = map.next_key::<Side>()? {
            match side {
                Side::Old => old_value = Some(map.next_value::<&'de RawValue>()?),
                Side::New => new_value = Some(map.next_value::<&'de RawValue>()?),
                Side::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let side = |v: Option<&'a RawValue>| v.filter(|v| v.get() != "null").map(RawJson::borrowed);
        Ok(Change(RawFieldChange {
            old_value: side(old_value),
            new_value: side(new_value),
        }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let value = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Self::whole(&value)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::whole(&v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::whole(&v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::whole(&v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::whole(&v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::whole(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Self::whole(&Value::Null)
    }
}

/// The members of a work item's fields the ingress itself reads.
#[derive(Debug, Default, Deserialize)]
struct Stamp<'a> {
    #[serde(rename = "System.ChangedBy", borrow)]
    changed_by: Option<Scalar<'a>>,
    #[serde(rename = "System.ChangedDate", borrow)]
    changed_date: Option<Scalar<'a>>,
    #[serde(rename = "System.Rev", borrow)]
    rev: Option<Scalar<'a>>,
}

impl<'a> Stamp<'a> {
    fn of(fields: &'a RawValue) -> Self {
        serde_json::from_str(fields.get())
            // A member named twice: the last one counts, as in a `Value`.
            .or_else(|_| serde_json::from_str::<Value>(fields.get()).and_then(Stamp::deserialize))
            .unwrap_or_default()
    }
}

fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

fn value(raw: &RawValue) -> Option<Scalar<'_>> {
    serde_json::from_str(raw.get()).ok()
}

/// An integer sent as a number or as a string (`System.Rev` comes both ways).
fn int(value: &Scalar) -> Option<i64> {
    match value {
        Scalar::Int(n) => Some(*n),
        Scalar::Str(s) => s.trim().parse().ok(),
        Scalar::Other => None,
    }
}

fn text(value: &Scalar) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `revisedBy` as `Name <unique name>`, the way ADO writes identities in fields.
fn identity(who: &Identity) -> Option<String> {
    fn field<'v>(value: &'v Option<Scalar>) -> Option<&'v str> {
        value
            .as_ref()
            .and_then(Scalar::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
    match (field(&who.display_name), field(&who.unique_name)) {
        (Some(name), Some(unique)) => Some([name, " <", unique, ">"].concat()),
        (name, unique) => field(&who.name).or(name).or(unique).map(str::to_owned),
    }
}

/// An ADO date: RFC 3339, or without an offset (then UTC, as ADO means it).
fn date(value: &Scalar) -> Option<DateTime<Utc>> {
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

    fn bytes(body: &Value) -> Vec<u8> {
        serde_json::to_vec(body).expect("json")
    }

    fn parsed_bytes(bytes: &[u8]) -> Parsed<'static> {
        let mut spare = None;
        parse(Body::read(bytes, &mut spare).expect("reads")).into_owned()
    }

    fn parsed(body: &Value) -> Parsed<'static> {
        parsed_bytes(&bytes(body))
    }

    fn label(body: &Value) -> &'static str {
        let bytes = bytes(body);
        let mut spare = None;
        event_type_label(&Body::read(&bytes, &mut spare).expect("reads"))
    }

    /// A raw side or object as a `Value`, to compare.
    fn json(raw: &Option<RawJson<'_>>) -> Option<Value> {
        raw.as_deref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    fn published(body: &Value) -> Notification<'static> {
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
            json(&n.changed_fields["System.State"].new_value),
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
        assert_eq!(
            json(&n.changed_fields["System.Rev"].old_value),
            Some(json!("1"))
        );
        assert_eq!(n.changed_fields["System.AssignedTo"].old_value, None);
        assert_eq!(n.revised_by.as_deref(), Some("Jamal Hartnett"));
    }

    #[test]
    fn the_real_2021_delivery_is_read_with_numeric_revs_and_its_identity() {
        let n = published(&fixture("real-2021-workitem.updated.json"));
        assert_eq!((n.work_item_id, n.rev), (13, Some(2)));
        assert_eq!(n.revised_by.as_deref(), Some("欧俊 <luacloud@gmail.com>"));
        assert_eq!(
            json(&n.changed_fields["System.Rev"].new_value),
            Some(json!(2))
        );
        assert_eq!(
            json(&n.fields).map(|f| f["System.Title"].clone()),
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
            json(&n.fields).map(|f| f["System.Title"].clone()),
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
    fn a_body_with_a_repeated_member_reads_as_the_same_body_without_the_repeat() {
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
            let plain = bytes(&value);
            // `{"eventType": "x", <the body>}`: the fast path refuses the repeat, the
            // slow path keeps the last one, and both must give one answer.
            let mut repeated = br#"{"eventType": "workitem.commented","#.to_vec();
            repeated.extend_from_slice(&plain[1..]);
            assert_eq!(parsed_bytes(&repeated), parsed_bytes(&plain), "{name}");
        }
    }

    #[test]
    fn the_values_of_a_change_are_passed_on_as_sent_and_a_null_side_is_no_side() {
        let body = br#"{"eventType": "workitem.updated", "id": "e3",
            "resource": {"workItemId": 9, "fields": {
                "System.Title": {"oldValue": "caf\u00e9", "newValue":  "a \"b\"" },
                "System.Tags": {"oldValue": null, "newValue": ["x", 1.50]},
                "Custom.Odd": 7}}}"#;
        let Parsed::Publish(n) = parsed_bytes(body) else {
            panic!("not published")
        };
        let title = &n.changed_fields["System.Title"];
        let raw =
            |side: &Option<RawJson<'_>>| side.as_deref().map(RawValue::get).map(str::to_owned);
        assert_eq!(raw(&title.old_value).as_deref(), Some(r#""caf\u00e9""#));
        assert_eq!(raw(&title.new_value).as_deref(), Some(r#""a \"b\"""#));
        assert_eq!(n.changed_fields["System.Tags"].old_value, None);
        assert_eq!(
            json(&n.changed_fields["System.Tags"].new_value),
            Some(json!(["x", 1.5]))
        );
        assert_eq!(
            json(&n.changed_fields["Custom.Odd"].new_value),
            Some(json!(7))
        );
        // A side named twice: the last one counts, as in a `Value`.
        let body = br#"{"eventType": "workitem.updated", "id": "e4", "resource": {"workItemId": 9,
            "fields": {"System.State": {"oldValue": "New", "oldValue": "Done", "newValue": "Active"}}}}"#;
        let Parsed::Publish(n) = parsed_bytes(body) else {
            panic!("not published")
        };
        assert_eq!(
            json(&n.changed_fields["System.State"].old_value),
            Some(json!("Done"))
        );
        // A name is read as JSON reads it (escapes undone); given twice, its last change
        // counts; a name without escapes is not copied.
        let body = br#"{"eventType": "workitem.updated", "id": "e5", "resource": {"workItemId": 9,
            "fields": {"System.T\u0069tle": {"newValue": "a"}, "System.Title": {"newValue": "b"},
                       "System.State": {"newValue": "Done"}}}}"#;
        // Test-only `expect`s on the JSON written above: a failure is the bug under test.
        let mut spare = None;
        let Parsed::Publish(n) = parse(Body::read(body, &mut spare).expect("reads")) else {
            panic!("not published")
        };
        assert_eq!(n.changed_fields.len(), 2);
        assert_eq!(
            json(&n.changed_fields["System.Title"].new_value),
            Some(json!("b"))
        );
        let (state, _) = n
            .changed_fields
            .get_key_value("System.State")
            .expect("the state changed");
        assert!(matches!(state, Cow::Borrowed(_)));
    }

    #[test]
    fn any_json_object_reads_and_anything_else_says_why_not() {
        // A member named twice is JSON all the same: the last one counts, as in a `Value`.
        let body = br#"{"eventType": "workitem.deleted", "eventType": "workitem.restored",
            "id": "e1", "resource": {"id": 7}}"#;
        assert!(matches!(parsed_bytes(body), Parsed::Publish(n) if n.kind == Kind::Restored));
        // Members of unexpected types read as absent, never as an error.
        let body = br#"{"eventType": 5, "resource": [1, {"a": 2}], "createdDate": {}}"#;
        assert_eq!(
            label(&serde_json::from_slice(body).expect("json")),
            "unknown"
        );
        assert!(matches!(
            parsed_bytes(body),
            Parsed::Rejected(RejectReason::NoEventType, _)
        ));
        let body = br#"{"eventType": "workitem.updated", "id": "e2",
            "resource": {"workItemId": "9", "_links": "no", "revision": 3}}"#;
        let n = match parsed_bytes(body) {
            Parsed::Publish(n) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            (n.work_item_id, n.resource_details),
            (9, ResourceDetails::All)
        );
        assert!(matches!(
            Body::read(b"[1, 2]", &mut None),
            Err(BodyError::NotAnObject)
        ));
        assert!(matches!(
            Body::read(b"{\"a\": }", &mut None),
            Err(BodyError::NotJson(_))
        ));
    }

    #[test]
    fn a_body_is_read_as_utf8_text_and_refused_when_it_is_not() {
        let body = "{\"eventType\": \"workitem.updated\", \"id\": \"Grüße ✓ \\u00e9\",
            \"resource\": {\"workItemId\": 9}}";
        let n = match parsed_bytes(body.as_bytes()) {
            Parsed::Publish(n) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(n.event_id.as_deref(), Some("Grüße ✓ é"));
        // The same bytes with one that is not UTF-8, in a string and between members.
        let broken = body.replace("Grüße", "Gr\u{FFFD}e").into_bytes();
        let at = broken
            .windows(3)
            .position(|w| w == "\u{FFFD}".as_bytes())
            // Test-only: the line above just put it there.
            .expect("the replacement character is in the body");
        for (place, byte) in [(at, 0xff), (at + 1, b'A')] {
            let mut bytes = broken.clone();
            bytes[place] = byte;
            assert!(
                matches!(Body::read(&bytes, &mut None), Err(BodyError::NotJson(_))),
                "{byte:#x} at {place}"
            );
        }
        let mut between = body.as_bytes().to_vec();
        between.insert(1, 0xff);
        assert!(matches!(
            Body::read(&between, &mut None),
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
            date(&Scalar::Str("2014-07-15T17:42:44.663".into())).map(|d| d.to_rfc3339()),
            Some("2014-07-15T17:42:44.663+00:00".into())
        );
        assert_eq!(date(&Scalar::Str("yesterday".into())), None);
    }

    #[test]
    fn a_member_reads_as_text_or_an_integer_whatever_its_type() {
        // Test-only `expect`s on the JSON written here: every text is valid JSON, a Scalar
        // reads any JSON value, and a body that is a JSON object always reads.
        fn read(json: &str) -> Scalar<'_> {
            serde_json::from_str(json).expect("any value reads")
        }
        assert!(matches!(
            read(r#""plain""#),
            Scalar::Str(Cow::Borrowed("plain"))
        ));
        assert_eq!(read(r#""a\"b""#), Scalar::Str(Cow::Owned("a\"b".into())));
        assert_eq!(read("42"), Scalar::Int(42));
        assert_eq!(read("-7"), Scalar::Int(-7));
        // As `Value::as_i64` reads numbers: no fractions, nothing beyond i64.
        assert_eq!(read("42.0"), Scalar::Other);
        assert_eq!(read("18446744073709551615"), Scalar::Other);
        for other in ["true", "null", "{\"a\": [1, {\"b\": 2}]}", "[1, \"x\"]"] {
            assert_eq!(read(other), Scalar::Other, "{other}");
        }
        assert_eq!(int(&read(r#"" 12 ""#)), Some(12));
        assert_eq!(int(&read("12")), Some(12));
        assert_eq!(int(&read("{}")), None);
        // Inside a body: a member of an unexpected type reads as absent, never an error.
        let body: Body = serde_json::from_str(
            r#"{"eventType": {"x": 1}, "notificationId": [1], "subscriptionId": "s"}"#,
        )
        .expect("reads");
        assert_eq!(body.event_type, Some(Scalar::Other));
        assert_eq!(body.notification_id.as_ref().and_then(int), None);
        assert_eq!(
            body.subscription_id.as_ref().and_then(Scalar::as_str),
            Some("s")
        );
    }
}
