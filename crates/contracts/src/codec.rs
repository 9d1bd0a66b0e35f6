//! Bytes ⇄ `Envelope<Event>`. Decoding reads `specversion` and `type` first, then
//! deserializes the whole envelope straight into the data type that `type` names, and
//! finally checks the rules serde cannot express. Every refusal says why in a way a
//! consumer can put in a dead-letter header: which field (`data.title`), or which type or
//! version it does not know. Encoding applies the same checks, so a producer finds out
//! before the event reaches the outbox rather than a consumer finding out after.

use serde::Deserialize;
use serde_json::Value;

use crate::action_item::{ActionItemUpdatedV1, ActionItemV1};
use crate::ado_inbound::AdoWorkItemEventV1;
use crate::ado_sync::{
    ActionItemChangedInAdoV1, ActionItemDeletedInAdoV1, ActionItemSyncFailedV1, ActionItemSyncedV1,
};
use crate::envelope::{DATA_CONTENT_TYPE, Envelope, SPEC_VERSION};
use crate::event::Event;
use crate::integration::IntegrationChangedV1;
use crate::routing::routing_key;
use crate::validate::{Validate, Violation};

/// Why a message body is not an event navsync can use. Every variant is permanent —
/// redelivering the same bytes cannot help — so consumers dead-letter, with
/// [`DecodeError::code`] and the message in the headers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not parseable as JSON at all; the text is serde_json's reason.
    #[error("the message body is not JSON: {0}")]
    NotJson(String),
    /// A `type` from no family navsync knows (`invoice.paid.v1`, or no version suffix).
    #[error("`{0}` is not an event type navsync knows")]
    UnknownType(String),
    /// A known family in a version this build does not know (`action_item.created.v9`):
    /// usually a producer deployed ahead of this consumer, so worth replaying once the
    /// consumer is upgraded.
    #[error("`{type_name}` is known, but not in version `{version}`")]
    UnknownVersion { type_name: String, version: String },
    /// A field missing, of the wrong type, or breaking a rule. `field` is the JSON path
    /// from the envelope's root (`data.title`, `data.changes.status.value`, `.` for the
    /// root itself).
    #[error("`{field}` is invalid: {message}")]
    Invalid { field: String, message: String },
    /// A CloudEvents version other than 1.0; carries the one received.
    #[error("CloudEvents specversion `{0}` is not supported, only 1.0 is")]
    UnsupportedSpecVersion(String),
}

impl DecodeError {
    /// A stable snake_case code for dead-letter headers and metrics labels.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotJson(_) => "not_json",
            Self::UnknownType(_) => "unknown_type",
            Self::UnknownVersion { .. } => "unknown_version",
            Self::Invalid { .. } => "invalid",
            Self::UnsupportedSpecVersion(_) => "unsupported_spec_version",
        }
    }

    fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<Violation> for DecodeError {
    fn from(v: Violation) -> Self {
        Self::invalid(v.field, v.message)
    }
}

/// Why an event could not be encoded: it breaks the contract, so publishing it would only
/// move the failure to every consumer.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("`{field}` is invalid: {message}")]
    Invalid { field: String, message: String },
    /// serde_json refused to serialize; not expected for these types, kept so that
    /// encoding never panics.
    #[error("the event could not be serialized: {0}")]
    Json(#[from] serde_json::Error),
}

impl From<Violation> for EncodeError {
    fn from(v: Violation) -> Self {
        Self::Invalid {
            field: v.field,
            message: v.message,
        }
    }
}

/// The AMQP body for an event, after checking it against the contract.
pub fn encode(env: &Envelope<Event>) -> Result<Vec<u8>, EncodeError> {
    check_spec_version(env)?;
    let expected_type = env.data.event_type();
    if env.event_type != expected_type {
        return Err(Violation::new(
            "type",
            format!("is `{}` but the data is {expected_type}", env.event_type),
        )
        .into());
    }
    check(env)?;
    Ok(serde_json::to_vec(env)?)
}

/// Reads an AMQP body as an event; see [`DecodeError`] for every way it can refuse.
pub fn decode(bytes: &[u8]) -> Result<Envelope<Event>, DecodeError> {
    let root: Value =
        serde_json::from_slice(bytes).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    if !root.is_object() {
        return Err(DecodeError::invalid(
            ".",
            "expected a JSON object (a CloudEvent)",
        ));
    }

    let specversion = string_attribute(&root, "specversion")?;
    if specversion != SPEC_VERSION {
        return Err(DecodeError::UnsupportedSpecVersion(specversion.to_owned()));
    }

    let event_type = string_attribute(&root, "type")?;
    let env = decode_as_type(event_type, &root)?;
    check(&env)?;
    Ok(env)
}

/// Picks the data type from `type`. The one place to add a line for a new type or version.
fn decode_as_type(event_type: &str, root: &Value) -> Result<Envelope<Event>, DecodeError> {
    use routing_key as key;
    match event_type {
        key::ACTION_ITEM_CREATED_V1 => typed::<ActionItemV1>(root, Event::ActionItemCreated),
        key::ACTION_ITEM_UPDATED_V1 => action_item_updated(root),
        key::ACTION_ITEM_DELETED_V1 => typed::<ActionItemV1>(root, Event::ActionItemDeleted),
        key::ADO_WORK_ITEM_UPDATED_V1 => {
            typed::<AdoWorkItemEventV1>(root, Event::AdoWorkItemUpdated)
        }
        key::ADO_WORK_ITEM_DELETED_V1 => {
            typed::<AdoWorkItemEventV1>(root, Event::AdoWorkItemDeleted)
        }
        key::ADO_WORK_ITEM_RESTORED_V1 => {
            typed::<AdoWorkItemEventV1>(root, Event::AdoWorkItemRestored)
        }
        key::ACTION_ITEM_SYNCED_V1 => typed::<ActionItemSyncedV1>(root, Event::ActionItemSynced),
        key::ACTION_ITEM_SYNC_FAILED_V1 => {
            typed::<ActionItemSyncFailedV1>(root, Event::ActionItemSyncFailed)
        }
        key::ACTION_ITEM_CHANGED_IN_ADO_V1 => {
            typed::<ActionItemChangedInAdoV1>(root, Event::ActionItemChangedInAdo)
        }
        key::ACTION_ITEM_DELETED_IN_ADO_V1 => {
            typed::<ActionItemDeletedInAdoV1>(root, Event::ActionItemDeletedInAdo)
        }
        key::INTEGRATION_CHANGED_V1 => {
            typed::<IntegrationChangedV1>(root, Event::IntegrationChanged)
        }
        unknown => Err(unknown_type(unknown)),
    }
}

fn unknown_type(event_type: &str) -> DecodeError {
    match routing_key::split_version(event_type) {
        Some((family, version)) if routing_key::is_known_family(family) => {
            DecodeError::UnknownVersion {
                type_name: family.to_owned(),
                version: version.to_owned(),
            }
        }
        _ => DecodeError::UnknownType(event_type.to_owned()),
    }
}

fn typed<'de, T: Deserialize<'de>>(
    root: &'de Value,
    wrap: fn(T) -> Event,
) -> Result<Envelope<Event>, DecodeError> {
    Ok(deserialize_at::<Envelope<T>>(root, "")?.map(wrap))
}

/// `ActionItemUpdatedV1` flattens the item into its own fields, and serde's `flatten`
/// buffers the input, which loses the path of a bad field (`data` instead of
/// `data.title`). So the item and `changed_fields` are read separately from the same
/// object, each with its precise path.
fn action_item_updated(root: &Value) -> Result<Envelope<Event>, DecodeError> {
    #[derive(Deserialize)]
    struct ChangedFields {
        changed_fields: Vec<String>,
    }

    let env = deserialize_at::<Envelope<ActionItemV1>>(root, "")?;
    let data = root
        .get("data")
        .ok_or_else(|| DecodeError::invalid("data", "missing field"))?;
    let ChangedFields { changed_fields } = deserialize_at(data, "data")?;
    Ok(env.map(|item| {
        Event::ActionItemUpdated(ActionItemUpdatedV1 {
            item,
            changed_fields,
        })
    }))
}

/// Deserializes `value` (found at `prefix` in the envelope) and turns serde's complaint
/// into a field path. serde reports a missing field at its parent with the name only in
/// the message, so the name is moved into the path: `data` + "missing field `title`"
/// becomes `data.title`.
fn deserialize_at<'de, T: Deserialize<'de>>(
    value: &'de Value,
    prefix: &str,
) -> Result<T, DecodeError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let message = err.inner().to_string();
        let mut field = join(prefix, &err.path().to_string());
        if let Some(missing) = missing_field_name(&message) {
            field = join(&field, missing);
        }
        DecodeError::invalid(field, message)
    })
}

fn missing_field_name(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")?
        .split_once('`')
        .map(|(name, _)| name)
}

/// Joins dotted paths, treating serde_path_to_error's `.` (the root) and `` as empty.
fn join(parent: &str, child: &str) -> String {
    let parent = if parent == "." { "" } else { parent };
    let child = if child == "." { "" } else { child };
    match (parent.is_empty(), child.is_empty()) {
        (true, true) => ".".to_owned(),
        (true, false) => child.to_owned(),
        (false, true) => parent.to_owned(),
        (false, false) if child.starts_with('[') => format!("{parent}{child}"),
        (false, false) => format!("{parent}.{child}"),
    }
}

/// A top-level attribute that must be a string, read before the rest of the envelope.
fn string_attribute<'a>(root: &'a Value, name: &str) -> Result<&'a str, DecodeError> {
    match root.get(name) {
        None => Err(DecodeError::invalid(
            name,
            format!("missing field `{name}`"),
        )),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(DecodeError::invalid(
            name,
            format!("expected a string, got {}", json_kind(other)),
        )),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The rules beyond serde, for both directions: envelope attributes, then the data's own.
fn check(env: &Envelope<Event>) -> Result<(), Violation> {
    check_attributes(env)?;
    env.data.validate().map_err(|v| v.within("data"))
}

/// Before encoding, whatever the data: the one CloudEvents version navsync speaks.
pub(crate) fn check_spec_version<T>(env: &Envelope<T>) -> Result<(), Violation> {
    if env.specversion != SPEC_VERSION {
        return Err(Violation::new(
            "specversion",
            format!("must be {SPEC_VERSION}"),
        ));
    }
    Ok(())
}

/// The attributes every event needs right, whatever its data.
pub(crate) fn check_attributes<T>(env: &Envelope<T>) -> Result<(), Violation> {
    if env.source.is_empty() {
        return Err(Violation::new("source", "must not be empty"));
    }
    if env.datacontenttype != DATA_CONTENT_TYPE {
        return Err(Violation::new(
            "datacontenttype",
            format!("must be {DATA_CONTENT_TYPE}, got `{}`", env.datacontenttype),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_without_stray_dots() {
        assert_eq!(join("", "."), ".");
        assert_eq!(join("", "data.title"), "data.title");
        assert_eq!(join("data", "."), "data");
        assert_eq!(join("data", "title"), "data.title");
        assert_eq!(join("data", "[2]"), "data[2]");
        assert_eq!(join(".", "id"), "id");
    }

    #[test]
    fn a_missing_field_name_is_read_from_serdes_message() {
        assert_eq!(missing_field_name("missing field `title`"), Some("title"));
        assert_eq!(missing_field_name("invalid type: integer"), None);
    }

    #[test]
    fn an_unknown_version_of_a_known_family_is_told_apart_from_an_unknown_type() {
        assert_eq!(
            unknown_type("action_item.created.v9"),
            DecodeError::UnknownVersion {
                type_name: "action_item.created".into(),
                version: "v9".into()
            }
        );
        assert_eq!(
            unknown_type("invoice.paid.v1"),
            DecodeError::UnknownType("invoice.paid.v1".into())
        );
        assert_eq!(
            unknown_type("action_item.created"),
            DecodeError::UnknownType("action_item.created".into())
        );
    }

    #[test]
    fn a_body_that_is_json_but_not_an_object_is_invalid_at_the_root() {
        assert_eq!(
            decode(b"[1, 2]"),
            Err(DecodeError::invalid(
                ".",
                "expected a JSON object (a CloudEvent)"
            ))
        );
    }

    #[test]
    fn specversion_and_type_must_be_strings() {
        let err = decode(br#"{"specversion": 1.0}"#).expect_err("number");
        assert_eq!(
            err,
            DecodeError::invalid("specversion", "expected a string, got a number")
        );
        let err = decode(br#"{"specversion": "1.0"}"#).expect_err("no type");
        assert!(matches!(err, DecodeError::Invalid { field, .. } if field == "type"));
    }

    #[test]
    fn other_cloudevents_versions_are_refused_by_name() {
        let err = decode(br#"{"specversion": "0.3", "type": "action_item.created.v1"}"#)
            .expect_err("0.3");
        assert_eq!(err, DecodeError::UnsupportedSpecVersion("0.3".into()));
        assert_eq!(err.code(), "unsupported_spec_version");
    }
}
