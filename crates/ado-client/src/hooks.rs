//! Service hook subscriptions (`{org}/_apis/hooks/subscriptions`): list them, to show an
//! admin whether ADO still calls our Webhook URL (ADO disables subscriptions silently), and
//! create the Web Hooks subscriptions that call it. Both need the hooks scopes
//! (`vso.hooks`, `vso.hooks_write`), which the PAT of SPEC §1 need not have: a missing
//! scope comes back as 401 (`PatRejected`) or 403, and callers must not read either as a
//! revoked PAT.

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::AdoClient;
use crate::{AdoError, Organization, Pat};

/// One subscription as ADO lists it (the password comes back masked, and is not kept).
#[derive(Debug, Clone, Deserialize)]
pub struct HookSubscription {
    pub id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default, rename = "eventType")]
    pub event_type: String,
    #[serde(default, rename = "consumerId")]
    pub consumer_id: String,
    #[serde(default, rename = "consumerInputs")]
    consumer_inputs: serde_json::Map<String, Value>,
}

impl HookSubscription {
    /// The URL ADO calls.
    pub fn url(&self) -> Option<&str> {
        self.consumer_inputs.get("url").and_then(Value::as_str)
    }
}

/// What a new Web Hooks subscription calls, and how it authenticates.
pub struct NewHookSubscription<'a> {
    /// `workitem.updated`, `workitem.deleted`, `workitem.restored`, ...
    pub event_type: &'a str,
    pub url: &'a str,
    pub basic_auth_username: &'a str,
    pub basic_auth_password: &'a SecretString,
    /// `all` or `minimal`.
    pub resource_details: &'a str,
}

#[derive(Deserialize)]
struct SubscriptionList {
    #[serde(default)]
    value: Vec<HookSubscription>,
}

impl AdoClient {
    /// Every Web Hooks subscription of the organization (publisher `tfs`).
    pub async fn list_hook_subscriptions(
        &self,
        org: &Organization,
        pat: &Pat,
    ) -> Result<Vec<HookSubscription>, AdoError> {
        let mut url = self.url(&[org.as_str(), "_apis", "hooks", "subscriptions"]);
        url.query_pairs_mut()
            .append_pair("publisherId", "tfs")
            .append_pair("consumerId", "webHooks");
        let list: SubscriptionList = self.get_json(url, pat).await?;
        Ok(list.value)
    }

    /// Creates one Web Hooks subscription to a work item event of the whole organization.
    pub async fn create_hook_subscription(
        &self,
        org: &Organization,
        pat: &Pat,
        new: &NewHookSubscription<'_>,
    ) -> Result<HookSubscription, AdoError> {
        let body = json!({
            "publisherId": "tfs",
            "eventType": new.event_type,
            "resourceVersion": "1.0",
            "consumerId": "webHooks",
            "consumerActionId": "httpRequest",
            "publisherInputs": {},
            "consumerInputs": {
                "url": new.url,
                "basicAuthUsername": new.basic_auth_username,
                "basicAuthPassword": new.basic_auth_password.expose_secret(),
                "resourceDetailsToSend": new.resource_details,
            },
        });
        let bytes = serde_json::to_vec(&body).map_err(|e| AdoError::Unexpected {
            status: 0,
            message: e.to_string(),
        })?;
        let url = self.url(&[org.as_str(), "_apis", "hooks", "subscriptions"]);
        self.send_json(Method::POST, url, pat, Some(("application/json", bytes)))
            .await
    }
}
