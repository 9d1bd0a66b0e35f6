//! Service hook subscriptions (publisher `tfs`, consumer `webHooks`): what ADO stores for
//! each, how a change is matched against them, and how the REST API shows them.
//!
//! A matching change becomes a [`delivery::Notification`] with the payload ADO would send
//! ([`payload`]); [`delivery`] posts it from a background thread with ADO's retry,
//! probation and disabling rules.

pub(crate) mod api;
pub(crate) mod delivery;
pub(crate) mod payload;
mod spec;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::state::{Identity, Organization};
use crate::work_items::edit::Change;
use crate::work_items::format_date;
use delivery::Notification;
pub(crate) use spec::SubscriptionSpec;
pub use spec::WebhookSubscription;

/// A subscription's state, as ADO names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubscriptionStatus {
    Enabled,
    OnProbation,
    DisabledByUser,
    DisabledBySystem,
    DisabledByInactiveIdentity,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::OnProbation => "onProbation",
            Self::DisabledByUser => "disabledByUser",
            Self::DisabledBySystem => "disabledBySystem",
            Self::DisabledByInactiveIdentity => "disabledByInactiveIdentity",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Self::Enabled,
            Self::OnProbation,
            Self::DisabledByUser,
            Self::DisabledBySystem,
            Self::DisabledByInactiveIdentity,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether events are still sent.
    pub(crate) fn delivers(self) -> bool {
        matches!(self, Self::Enabled | Self::OnProbation)
    }
}

/// How much of the work item an event carries (the "Resource details to send" setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResourceDetails {
    #[default]
    All,
    Minimal,
    None,
}

impl ResourceDetails {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Minimal => "minimal",
            Self::None => "none",
        }
    }
}

/// What ADO shows instead of a confidential input.
const MASK: &str = "********";

/// A stored subscription.
#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub(crate) id: Uuid,
    pub(crate) spec: SubscriptionSpec,
    pub(crate) status: SubscriptionStatus,
    pub(crate) created_by: Identity,
    pub(crate) created_date: DateTime<Utc>,
    pub(crate) modified_by: Identity,
    pub(crate) modified_date: DateTime<Utc>,
    /// The last `notificationId` sent; they increase per subscription.
    pub(crate) last_notification_id: u64,
    /// Failed deliveries since the subscription went on probation.
    pub(crate) probation_retries: u32,
    pub(crate) last_probation_retry_date: Option<DateTime<Utc>>,
}

impl Subscription {
    pub(crate) fn new(spec: SubscriptionSpec, creator: Identity, now: DateTime<Utc>) -> Self {
        let status = match spec.status {
            Some(SubscriptionStatus::DisabledByUser) => SubscriptionStatus::DisabledByUser,
            _ => SubscriptionStatus::Enabled,
        };
        Self {
            id: Uuid::new_v4(),
            spec,
            status,
            created_by: creator.clone(),
            created_date: now,
            modified_by: creator,
            modified_date: now,
            last_notification_id: 0,
            probation_retries: 0,
            last_probation_retry_date: None,
        }
    }

    /// Applies a `PUT`: new settings, and the status it asks for when a user may set it
    /// (`enabled`, which clears probation as re-enabling in the portal does, or
    /// `disabledByUser`); a status echoed back from a read changes nothing.
    pub(crate) fn replace(&mut self, spec: SubscriptionSpec, by: Identity, now: DateTime<Utc>) {
        match spec.status {
            Some(SubscriptionStatus::Enabled) => {
                self.status = SubscriptionStatus::Enabled;
                self.probation_retries = 0;
            }
            Some(SubscriptionStatus::DisabledByUser) => {
                self.status = SubscriptionStatus::DisabledByUser;
            }
            _ => {}
        }
        self.spec = spec;
        self.modified_by = by;
        self.modified_date = now;
    }

    /// Whether `change` is an event this subscription wants.
    fn wants(&self, change: &Change) -> bool {
        if !self.status.delivers() || self.spec.event != change.kind {
            return false;
        }
        if self
            .spec
            .project_id
            .is_some_and(|p| p != change.item.project_id)
        {
            return false;
        }
        if let Some(kind) = self.spec.publisher_input("workItemType")
            && !kind.eq_ignore_ascii_case(change.item.work_item_type())
        {
            return false;
        }
        if let Some(area) = self.spec.publisher_input("areaPath") {
            let item_area = change.item.field_str("System.AreaPath").to_lowercase();
            let area = area.to_lowercase();
            if item_area != area && !item_area.starts_with(&format!("{area}\\")) {
                return false;
            }
        }
        if let (Some(fields), Some(update)) =
            (self.spec.publisher_input("changedFields"), &change.update)
        {
            let wanted = fields.split(',').map(str::trim).filter(|f| !f.is_empty());
            let mut wanted = wanted.peekable();
            if wanted.peek().is_some()
                && !wanted.any(|f| update.fields.keys().any(|k| k.eq_ignore_ascii_case(f)))
            {
                return false;
            }
        }
        true
    }

    /// The subscription as ADO's REST API shows it (the password masked).
    pub(crate) fn to_json(&self, base: &str, org: &str) -> Value {
        let url = format!("{base}/{org}/_apis/hooks/subscriptions/{}", self.id);
        let mut consumer: Map<String, Value> = self
            .spec
            .consumer_inputs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        if let Some(password) = consumer.get_mut("basicAuthPassword")
            && password.as_str().is_some_and(|p| !p.is_empty())
        {
            *password = MASK.into();
        }
        let publisher: Map<String, Value> = self
            .spec
            .publisher_inputs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let host = self
            .spec
            .url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?']).next())
            .unwrap_or("");
        let mut body = json!({
            "id": self.id,
            "url": url,
            "status": self.status.as_str(),
            "publisherId": "tfs",
            "eventType": self.spec.event.event_type(),
            "subscriber": null,
            "resourceVersion": "1.0",
            "eventDescription": match self.spec.project_id {
                Some(_) => "Selected project",
                None => "Any project",
            },
            "consumerId": "webHooks",
            "consumerActionId": "httpRequest",
            "actionDescription": format!("To host {host}"),
            "probationRetries": self.probation_retries,
            "createdBy": identity_ref(base, org, &self.created_by),
            "createdDate": format_date(self.created_date),
            "modifiedBy": identity_ref(base, org, &self.modified_by),
            "modifiedDate": format_date(self.modified_date),
            "publisherInputs": publisher,
            "consumerInputs": consumer,
            "_links": {
                "self": {"href": url},
                "consumer": {"href": format!("{base}/{org}/_apis/hooks/consumers/webHooks")},
                "actions": {"href": format!("{base}/{org}/_apis/hooks/consumers/webHooks/actions")},
                "notifications": {"href": format!("{url}/notifications")},
                "publisher": {"href": format!("{base}/{org}/_apis/hooks/publishers/tfs")},
            },
        });
        if let Some(at) = self.last_probation_retry_date {
            body["lastProbationRetryDate"] = format_date(at).into();
        }
        body
    }

    pub(crate) fn info(&self, org: &str) -> SubscriptionInfo {
        SubscriptionInfo {
            organization: org.to_owned(),
            id: self.id,
            event_type: self.spec.event.event_type().to_owned(),
            url: self.spec.url.clone(),
            status: self.status,
            resource_details: self.spec.details,
            probation_retries: self.probation_retries,
        }
    }
}

/// A subscription as tests see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionInfo {
    pub organization: String,
    pub id: Uuid,
    pub event_type: String,
    pub url: String,
    pub status: SubscriptionStatus,
    pub resource_details: ResourceDetails,
    pub probation_retries: u32,
}

/// An identity as the REST API shows one (`createdBy`, `System.CreatedBy`, ...).
pub(crate) fn identity_ref(base: &str, org: &str, identity: &Identity) -> Value {
    let descriptor = descriptor(identity);
    let avatar = format!("{base}/{org}/_apis/GraphProfile/MemberAvatars/{descriptor}");
    json!({
        "displayName": identity.display_name,
        "url": format!("{base}/{org}/_apis/Identities/{}", identity.id),
        "_links": {"avatar": {"href": avatar}},
        "id": identity.id,
        "uniqueName": identity.unique_name,
        "imageUrl": avatar,
        "descriptor": descriptor,
    })
}

/// An AAD-style subject descriptor derived from the identity's id.
pub(crate) fn descriptor(identity: &Identity) -> String {
    use base64::Engine;
    format!(
        "aad.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(identity.id.as_bytes())
    )
}

/// Turns committed changes into notifications for every subscription that wants them,
/// numbering them per subscription. `base` is `{base}` for the URLs in the payloads.
pub(crate) fn publish(org: &mut Organization, base: &str, changes: &[Change]) -> Vec<Notification> {
    let mut out = Vec::new();
    for change in changes {
        let Some(project) = org.project_by_id(change.item.project_id) else {
            continue;
        };
        let project = (project.id, project.name.clone());
        let context = payload::Context {
            base,
            org_name: &org.name,
            collection_id: org.instance_id,
            account_id: org.account_id,
            project_id: project.0,
            project_name: &project.1,
            change,
        };
        let mut built = Vec::new();
        for subscription in org.subscriptions.iter().filter(|s| s.wants(change)) {
            let notification_id = subscription.last_notification_id + 1;
            let event_id = Uuid::new_v4();
            let body = payload::event(&context, subscription, notification_id, event_id);
            built.push(Notification {
                org: org.name.clone(),
                subscription_id: subscription.id,
                notification_id,
                event_id,
                event_type: change.kind.event_type(),
                work_item_id: change.item.id,
                url: subscription.spec.url.clone(),
                basic_auth: subscription.spec.basic_auth.clone(),
                headers: subscription.spec.headers.clone(),
                payload: body,
            });
        }
        for notification in &built {
            if let Some(sub) = org.subscription_mut(notification.subscription_id) {
                sub.last_notification_id = notification.notification_id;
            }
        }
        out.extend(built);
    }
    out
}
