//! What a subscription says: the Rust builder ([`WebhookSubscription`]) and ADO's JSON
//! (`publisherId`, `eventType`, `consumerId`, `consumerActionId`, `publisherInputs`,
//! `consumerInputs`) read into a validated [`SubscriptionSpec`] — refusing what ADO
//! would refuse, and accepting the emulator's `emulatorQuirk` input.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{ResourceDetails, SubscriptionStatus};
use crate::ado_error::AdoError;
use crate::state::Organization;
use crate::work_items::edit::EventKind;

/// A subscription to create, in Rust (the control API and the REST API take ADO's JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSubscription {
    /// `workitem.created`, `workitem.updated`, `workitem.deleted`, `workitem.restored`
    /// or `workitem.commented`.
    pub event_type: String,
    pub url: String,
    pub basic_auth_username: String,
    pub basic_auth_password: String,
    pub resource_details: ResourceDetails,
    /// Sent with every delivery.
    pub http_headers: Vec<(String, String)>,
    /// Only changes in this project (id or name); every project when `None`.
    pub project: Option<String>,
    /// Deliver `workItemId: 0` and `revisedBy: null` in `workitem.updated`, as
    /// Microsoft's documentation sample does.
    pub docs_sample_quirk: bool,
}

impl WebhookSubscription {
    pub fn new(event_type: &str, url: &str) -> Self {
        Self {
            event_type: event_type.to_owned(),
            url: url.to_owned(),
            basic_auth_username: String::new(),
            basic_auth_password: String::new(),
            resource_details: ResourceDetails::All,
            http_headers: Vec::new(),
            project: None,
            docs_sample_quirk: false,
        }
    }

    pub fn basic_auth(mut self, username: &str, password: &str) -> Self {
        self.basic_auth_username = username.to_owned();
        self.basic_auth_password = password.to_owned();
        self
    }

    pub fn resource_details(mut self, details: ResourceDetails) -> Self {
        self.resource_details = details;
        self
    }

    pub fn project(mut self, id_or_name: &str) -> Self {
        self.project = Some(id_or_name.to_owned());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.http_headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn docs_sample_quirk(mut self) -> Self {
        self.docs_sample_quirk = true;
        self
    }

    /// The body ADO's `POST _apis/hooks/subscriptions` takes.
    pub fn to_ado_json(&self) -> Value {
        let mut consumer = json!({
            "url": self.url,
            "basicAuthUsername": self.basic_auth_username,
            "basicAuthPassword": self.basic_auth_password,
            "resourceDetailsToSend": self.resource_details.as_str(),
        });
        if !self.http_headers.is_empty() {
            let lines: Vec<String> = self
                .http_headers
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            consumer["httpHeaders"] = lines.join("\n").into();
        }
        if self.docs_sample_quirk {
            consumer[QUIRK_INPUT] = DOCS_SAMPLE.into();
        }
        let mut publisher = json!({});
        if let Some(project) = &self.project {
            publisher["projectId"] = project.clone().into();
        }
        json!({
            "publisherId": "tfs",
            "eventType": self.event_type,
            "resourceVersion": "1.0",
            "consumerId": "webHooks",
            "consumerActionId": "httpRequest",
            "publisherInputs": publisher,
            "consumerInputs": consumer,
        })
    }
}

/// The consumer input that switches the docs-sample quirk on (the emulator's own).
pub(crate) const QUIRK_INPUT: &str = "emulatorQuirk";
pub(crate) const DOCS_SAMPLE: &str = "docs-sample";

/// What a subscription says, validated.
#[derive(Debug, Clone)]
pub(crate) struct SubscriptionSpec {
    pub(crate) event: EventKind,
    pub(crate) publisher_inputs: BTreeMap<String, String>,
    pub(crate) consumer_inputs: BTreeMap<String, String>,
    pub(crate) project_id: Option<Uuid>,
    pub(crate) url: String,
    pub(crate) basic_auth: Option<(String, String)>,
    pub(crate) details: ResourceDetails,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) docs_quirk: bool,
    /// A status the body asks for (a `PUT` may disable or re-enable).
    pub(crate) status: Option<SubscriptionStatus>,
}

impl SubscriptionSpec {
    /// Reads ADO's subscription JSON. `names_allowed`: the seed and control API may name
    /// the project instead of giving its id.
    pub(crate) fn from_ado_json(
        body: &Value,
        org: &Organization,
        names_allowed: bool,
    ) -> Result<Self, AdoError> {
        let invalid = AdoError::invalid_subscription;
        let object = body
            .as_object()
            .ok_or_else(|| invalid("A subscription is a JSON object.".to_owned()))?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or("");
        if !text("publisherId").eq_ignore_ascii_case("tfs") {
            return Err(invalid(format!(
                "publisherId '{}' is not supported: only 'tfs' (work items) is.",
                text("publisherId")
            )));
        }
        let event = EventKind::parse(text("eventType")).ok_or_else(|| {
            invalid(format!(
                "eventType '{}' is not supported: use workitem.created, workitem.updated, \
                 workitem.deleted, workitem.restored or workitem.commented.",
                text("eventType")
            ))
        })?;
        if !text("consumerId").eq_ignore_ascii_case("webHooks") {
            return Err(invalid(format!(
                "consumerId '{}' is not supported: only 'webHooks' is.",
                text("consumerId")
            )));
        }
        if !text("consumerActionId").eq_ignore_ascii_case("httpRequest") {
            return Err(invalid(format!(
                "consumerActionId '{}' is not supported: only 'httpRequest' is.",
                text("consumerActionId")
            )));
        }
        let publisher_inputs = string_map(object.get("publisherInputs"));
        let consumer_inputs = string_map(object.get("consumerInputs"));
        let input = |key: &str| {
            consumer_inputs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        let url = input("url").trim().to_owned();
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
            return Err(invalid(format!(
                "consumerInputs.url '{url}' is not an absolute http(s) URL."
            )));
        }
        let details = match input("resourceDetailsToSend").to_ascii_lowercase().as_str() {
            "" | "all" => ResourceDetails::All,
            "minimal" => ResourceDetails::Minimal,
            "none" => ResourceDetails::None,
            other => {
                return Err(invalid(format!(
                    "consumerInputs.resourceDetailsToSend '{other}' is not all, minimal or none."
                )));
            }
        };
        let (username, password) = (input("basicAuthUsername"), input("basicAuthPassword"));
        let basic_auth = (!username.is_empty() || !password.is_empty())
            .then(|| (username.to_owned(), password.to_owned()));
        let headers = parse_headers(input("httpHeaders"))?;
        let docs_quirk = match input(QUIRK_INPUT) {
            "" => false,
            q if q.eq_ignore_ascii_case(DOCS_SAMPLE) => true,
            other => {
                return Err(invalid(format!(
                    "consumerInputs.{QUIRK_INPUT} '{other}' is unknown: the emulator knows \
                     '{DOCS_SAMPLE}'."
                )));
            }
        };
        let project = publisher_inputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("projectId"))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty());
        let project_id = match project {
            None => None,
            Some(text) => {
                let found = match Uuid::parse_str(text) {
                    Ok(id) => org.project_by_id(id),
                    Err(_) if names_allowed => org.project(text),
                    Err(_) => None,
                };
                Some(
                    found
                        .ok_or_else(|| {
                            invalid(format!(
                                "publisherInputs.projectId '{text}' is not a project of this \
                                 organization."
                            ))
                        })?
                        .id,
                )
            }
        };
        let status =
            match object.get("status").and_then(Value::as_str) {
                None => None,
                Some(s) => Some(SubscriptionStatus::parse(s).ok_or_else(|| {
                    invalid(format!("status '{s}' is not a subscription status."))
                })?),
            };
        let mut publisher_inputs = publisher_inputs;
        if let Some(id) = project_id {
            publisher_inputs.insert("projectId".into(), id.to_string());
        }
        Ok(Self {
            event,
            publisher_inputs,
            consumer_inputs,
            project_id,
            url,
            basic_auth,
            details,
            headers,
            docs_quirk,
            status,
        })
    }

    pub(super) fn publisher_input(&self, key: &str) -> Option<&str> {
        self.publisher_inputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => return None,
                        other => other.to_string(),
                    };
                    Some((k.clone(), text))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `Key:Value` per line, as the subscription form takes them.
fn parse_headers(text: &str) -> Result<Vec<(String, String)>, AdoError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (key, value) = line.split_once(':').ok_or_else(|| {
                AdoError::invalid_subscription(format!(
                    "consumerInputs.httpHeaders line '{line}' is not Key:Value."
                ))
            })?;
            Ok((key.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}
