//! `ado.work_item.*.v1` as webhook-ingress writes them: the same wire format as
//! [`AdoWorkItemEventV1`], but ADO's field values stay the JSON text of the delivery
//! ([`RawValue`]), borrowed from the request body. Parsing every value into a
//! `serde_json::Value` only to write it out again cost the ingress a third of its time per
//! webhook, and the ingress never looks inside them (SPEC §9 gives that to ado-sync).
//! Consumers read these events as [`AdoWorkItemEventV1`]; a test below holds the two
//! formats together.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::ado_inbound::{AdoWorkItemEventV1, ResourceDetails};
use crate::codec::{EncodeError, check_attributes, check_spec_version};
use crate::envelope::{DATA_CONTENT_TYPE, Envelope, SPEC_VERSION};
use crate::routing::{exchange, routing_key};
use crate::validate::{Validate, Violation};

/// A JSON value exactly as ADO sent it (or, for a delivery that had to be normalised
/// first, as serde_json wrote it back). Two are equal when their text is.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct RawJson<'a>(Cow<'a, RawValue>);

impl<'a> RawJson<'a> {
    pub fn borrowed(raw: &'a RawValue) -> Self {
        Self(Cow::Borrowed(raw))
    }

    pub fn owned(raw: Box<RawValue>) -> RawJson<'static> {
        RawJson(Cow::Owned(raw))
    }

    pub fn into_owned(self) -> RawJson<'static> {
        RawJson(Cow::Owned(self.0.into_owned()))
    }
}

impl std::ops::Deref for RawJson<'_> {
    type Target = RawValue;

    fn deref(&self) -> &RawValue {
        &self.0
    }
}

impl PartialEq for RawJson<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

/// Which of the three events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdoWorkItemKind {
    Updated,
    Deleted,
    Restored,
}

impl AdoWorkItemKind {
    /// The CloudEvents `type`, which is also the routing key.
    pub fn event_type(self) -> &'static str {
        match self {
            Self::Updated => routing_key::ADO_WORK_ITEM_UPDATED_V1,
            Self::Deleted => routing_key::ADO_WORK_ITEM_DELETED_V1,
            Self::Restored => routing_key::ADO_WORK_ITEM_RESTORED_V1,
        }
    }

    fn of(event_type: &str) -> Option<Self> {
        [Self::Updated, Self::Deleted, Self::Restored]
            .into_iter()
            .find(|k| k.event_type() == event_type)
    }
}

/// [`crate::FieldChange`] with raw sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawFieldChange<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_value: Option<RawJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_value: Option<RawJson<'a>>,
}

/// [`AdoWorkItemEventV1`] with raw field values; see the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawAdoWorkItemEventV1<'a> {
    pub integration_id: Uuid,
    pub company_id: Uuid,
    pub organization: Cow<'a, str>,
    pub work_item_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rev: Option<i64>,
    pub subscription_id: String,
    pub notification_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    pub changed_fields: BTreeMap<Cow<'a, str>, RawFieldChange<'a>>,
    /// A JSON object (field reference name → value); anything else is left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<RawJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revised_by: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::rfc3339::serialize_option"
    )]
    pub revised_at: Option<DateTime<Utc>>,
    pub resource_details: ResourceDetails,
}

impl Validate for RawAdoWorkItemEventV1<'_> {
    fn validate(&self) -> Result<(), Violation> {
        crate::validate::at_least_one("work_item_id", self.work_item_id)?;
        crate::validate::optional_at_least_one("rev", self.rev)?;
        match &self.fields {
            Some(fields) if !fields.get().starts_with('{') => {
                Err(Violation::new("fields", "must be a JSON object"))
            }
            _ => Ok(()),
        }
    }
}

impl<'a> Envelope<RawAdoWorkItemEventV1<'a>> {
    /// A new `kind` event with id `id` published now by `source`, its subject the work item
    /// id (as [`crate::Event::subject`] makes it for the parsed type). The id is the
    /// caller's: the ingress derives it from the notification, and drawing a random one
    /// only to replace it cost a `getrandom` call per webhook.
    pub fn ado_work_item(
        source: impl Into<String>,
        kind: AdoWorkItemKind,
        id: Uuid,
        data: RawAdoWorkItemEventV1<'a>,
    ) -> Self {
        Self {
            specversion: SPEC_VERSION.to_owned(),
            id,
            source: source.into(),
            event_type: kind.event_type().to_owned(),
            subject: Some(data.work_item_id.to_string()),
            time: Utc::now(),
            datacontenttype: DATA_CONTENT_TYPE.to_owned(),
            traceparent: None,
            data,
        }
    }

    /// The exchange to publish to.
    pub fn exchange(&self) -> &'static str {
        exchange::ADO_INBOUND
    }
}

/// What an encoded event usually fits in (a `workitem.updated` with all resource details
/// is 2–4 KiB).
const ENCODED_CAPACITY: usize = 4096;

/// The AMQP body of a raw event, after the checks [`crate::encode`] makes.
pub fn encode_ado_work_item(
    env: &Envelope<RawAdoWorkItemEventV1<'_>>,
) -> Result<Vec<u8>, EncodeError> {
    check_spec_version(env)?;
    if AdoWorkItemKind::of(&env.event_type).is_none() {
        return Err(Violation::new(
            "type",
            format!("is `{}`, not an ado.work_item event", env.event_type),
        )
        .into());
    }
    check_attributes(env)?;
    env.data.validate().map_err(|v| v.within("data"))?;
    // Room for the whole event at once: growing from serde_json's default doubled and
    // copied it several times per webhook.
    let mut body = Vec::with_capacity(ENCODED_CAPACITY);
    serde_json::to_writer(&mut body, env)?;
    Ok(body)
}

/// For tests and tools: the raw event a parsed one reads back from.
impl From<&AdoWorkItemEventV1> for RawAdoWorkItemEventV1<'static> {
    fn from(event: &AdoWorkItemEventV1) -> Self {
        Self {
            integration_id: event.integration_id,
            company_id: event.company_id,
            organization: Cow::Owned(event.organization.clone()),
            work_item_id: event.work_item_id,
            rev: event.rev,
            subscription_id: event.subscription_id.clone(),
            notification_id: event.notification_id,
            event_id: event.event_id.clone(),
            changed_fields: event
                .changed_fields
                .iter()
                .map(|(name, change)| {
                    let change = RawFieldChange {
                        old_value: change.old_value.as_ref().map(raw),
                        new_value: change.new_value.as_ref().map(raw),
                    };
                    (Cow::Owned(name.clone()), change)
                })
                .collect(),
            fields: event.fields.as_ref().map(raw),
            revised_by: event.revised_by.clone(),
            revised_at: event.revised_at,
            resource_details: event.resource_details,
        }
    }
}

/// `value` as raw JSON. A `Value` always serializes; `null` only keeps this total.
fn raw<T: Serialize>(value: &T) -> RawJson<'static> {
    RawJson::owned(
        serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, decode, encode};
    use serde_json::json;

    fn parsed_event() -> AdoWorkItemEventV1 {
        serde_json::from_value(json!({
            "integration_id": "0192f0c4-8d2e-7c3a-9b1f-2a4c6e8d0b13",
            "company_id": "0192f0c4-8d2e-7c3a-9b1f-2a4c6e8d0b14",
            "organization": "p2anav-dev",
            "work_item_id": 42,
            "rev": 7,
            "subscription_id": "s-1",
            "notification_id": 3,
            "event_id": "e-1",
            "changed_fields": {
                "System.State": {"old_value": "New", "new_value": "Active"},
                "System.Title": {"new_value": "caf\u{e9} \"quoted\" \\ \u{1F600}"},
                "Microsoft.VSTS.Common.Priority": {"old_value": 2, "new_value": 1.5}
            },
            "fields": {"System.Title": "x", "System.AssignedTo": {"displayName": "A B"}},
            "revised_by": "A B <a@b>",
            "revised_at": "2026-03-02T10:15:00.123Z",
            "resource_details": "all"
        }))
        .expect("an event")
    }

    #[test]
    fn a_raw_event_reads_back_as_the_parsed_event_it_came_from() {
        let event = parsed_event();
        let mut raw_env = Envelope::ado_work_item(
            "/navsync/webhook-ingress",
            AdoWorkItemKind::Updated,
            Uuid::now_v7(),
            RawAdoWorkItemEventV1::from(&event),
        );
        raw_env.traceparent =
            Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into());
        let bytes = encode_ado_work_item(&raw_env).expect("encodes");
        let decoded = decode(&bytes).expect("decodes");
        assert_eq!(decoded.data, Event::AdoWorkItemUpdated(event.clone()));
        assert_eq!(decoded.id, raw_env.id);
        assert_eq!(decoded.subject.as_deref(), Some("42"));
        assert_eq!(decoded.traceparent, raw_env.traceparent);
        // And byte for byte what the parsed event's own encoding gives.
        let mut parsed_env =
            Envelope::from_event("/navsync/webhook-ingress", Event::AdoWorkItemUpdated(event));
        parsed_env.id = raw_env.id;
        parsed_env.time = raw_env.time;
        parsed_env.traceparent = raw_env.traceparent.clone();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&bytes).expect("json"),
            serde_json::from_slice::<serde_json::Value>(&encode(&parsed_env).expect("encodes"))
                .expect("json")
        );
    }

    #[test]
    fn the_raw_encoder_refuses_what_the_contract_refuses() {
        let event = parsed_event();
        let env = |f: &dyn Fn(&mut Envelope<RawAdoWorkItemEventV1<'static>>)| {
            let mut env = Envelope::ado_work_item(
                "/x",
                AdoWorkItemKind::Deleted,
                Uuid::now_v7(),
                RawAdoWorkItemEventV1::from(&event),
            );
            f(&mut env);
            encode_ado_work_item(&env)
        };
        assert!(env(&|_| {}).is_ok());
        assert!(env(&|e| e.data.work_item_id = 0).is_err());
        assert!(env(&|e| e.data.rev = Some(0)).is_err());
        assert!(env(&|e| e.event_type = "action_item.created.v1".into()).is_err());
        assert!(env(&|e| e.source.clear()).is_err());
        assert!(env(&|e| e.data.fields = Some(RawJson::borrowed(RawValue::NULL))).is_err());
    }
}
