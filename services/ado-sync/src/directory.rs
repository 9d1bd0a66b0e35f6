//! The integrations a worker needs, read from `integrations`' internal API with the
//! service credential and trusted for a short while. A rejected PAT is reported back
//! through the same API.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use navsync_ado_client::{Organization, Pat};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use uuid::Uuid;

/// An integration as ado-sync uses it.
#[derive(Clone, Deserialize)]
pub struct Integration {
    pub id: Uuid,
    pub company_id: Uuid,
    pub organization: String,
    pub enabled: bool,
    pub status: String,
    pub project: Option<String>,
    pub work_item_type: String,
    #[serde(default)]
    pub state_mapping: HashMap<String, String>,
    pub on_action_item_deleted: String,
    /// Why it needs attention, when it does.
    #[serde(default)]
    pub status_reason: Option<String>,
    pat: String,
}

impl std::fmt::Debug for Integration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Integration({}, {})", self.id, self.organization)
    }
}

impl Integration {
    pub fn pat(&self) -> Result<Pat, DirectoryError> {
        Pat::parse(&self.pat).map_err(|_| DirectoryError::Invalid("stored PAT is malformed"))
    }

    pub fn org(&self) -> Result<Organization, DirectoryError> {
        Organization::parse(&self.organization)
            .map_err(|_| DirectoryError::Invalid("stored organization is malformed"))
    }

    /// Lower case: the key of links and revisions.
    pub fn org_key(&self) -> String {
        self.organization.to_ascii_lowercase()
    }

    /// Whether work may go to ADO: enabled, and active — or flagged only for
    /// `no_webhooks`, a warning that stops nothing (see `hook_watch`).
    pub fn active(&self) -> bool {
        self.enabled
            && (self.status == "active"
                || self.status_reason.as_deref() == Some(crate::hook_watch::NO_WEBHOOKS))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("integrations is unavailable: {0}")]
    Unavailable(String),
    #[error("integration data is unusable: {0}")]
    Invalid(&'static str),
}

pub struct Directory {
    http: reqwest::Client,
    base: String,
    token: SecretString,
    ttl: Duration,
    by_company: Mutex<HashMap<Uuid, (Instant, Option<Integration>)>>,
}

impl Directory {
    pub fn new(base: &str, token: SecretString, ttl: Duration) -> Result<Self, DirectoryError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| DirectoryError::Unavailable(e.to_string()))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
            ttl,
            by_company: Mutex::new(HashMap::new()),
        })
    }

    /// The company's integration, `None` when it has none.
    pub async fn for_company(
        &self,
        company_id: Uuid,
    ) -> Result<Option<Integration>, DirectoryError> {
        if let Ok(cache) = self.by_company.lock()
            && let Some((at, found)) = cache.get(&company_id)
            && at.elapsed() < self.ttl
        {
            return Ok(found.clone());
        }
        let found = self
            .fetch(&format!("/internal/v1/companies/{company_id}/integration"))
            .await?;
        if let Ok(mut cache) = self.by_company.lock() {
            cache.insert(company_id, (Instant::now(), found.clone()));
        }
        Ok(found)
    }

    /// Fresh, never cached: used to decide whether parked work may resume.
    pub async fn by_id(&self, id: Uuid) -> Result<Option<Integration>, DirectoryError> {
        self.fetch(&format!("/internal/v1/integrations/{id}")).await
    }

    pub fn forget(&self, company_id: Uuid) {
        if let Ok(mut cache) = self.by_company.lock() {
            cache.remove(&company_id);
        }
    }

    async fn fetch(&self, path: &str) -> Result<Option<Integration>, DirectoryError> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(self.token.expose_secret())
            .send()
            .await
            .map_err(|e| DirectoryError::Unavailable(e.without_url().to_string()))?;
        match res.status().as_u16() {
            200 => res
                .json::<Integration>()
                .await
                .map(Some)
                .map_err(|_| DirectoryError::Invalid("unexpected answer")),
            404 => Ok(None),
            status => Err(DirectoryError::Unavailable(format!("HTTP {status}"))),
        }
    }

    /// Tells `integrations` that the integration needs an admin, e.g. `pat_rejected`.
    pub async fn needs_attention(
        &self,
        integration: &Integration,
        reason: &str,
    ) -> Result<(), DirectoryError> {
        let res = self
            .http
            .post(format!(
                "{}/internal/v1/integrations/{}/needs-attention",
                self.base, integration.id
            ))
            .bearer_auth(self.token.expose_secret())
            .json(&serde_json::json!({"reason": reason, "service": "ado_sync"}))
            .send()
            .await
            .map_err(|e| DirectoryError::Unavailable(e.without_url().to_string()))?;
        self.forget(integration.company_id);
        if res.status().is_success() || res.status().as_u16() == 404 {
            Ok(())
        } else {
            Err(DirectoryError::Unavailable(format!(
                "HTTP {}",
                res.status().as_u16()
            )))
        }
    }

    /// Asks `integrations` to clear `needs_attention` if (and only if) it is for `reason`.
    pub async fn attention_cleared(
        &self,
        integration_id: Uuid,
        reason: &str,
    ) -> Result<(), DirectoryError> {
        let res = self
            .http
            .post(format!(
                "{}/internal/v1/integrations/{integration_id}/attention-cleared",
                self.base
            ))
            .bearer_auth(self.token.expose_secret())
            .json(&serde_json::json!({"reason": reason, "service": "ado_sync"}))
            .send()
            .await
            .map_err(|e| DirectoryError::Unavailable(e.without_url().to_string()))?;
        if let Ok(mut cache) = self.by_company.lock() {
            cache.retain(|_, (_, i)| i.as_ref().is_none_or(|i| i.id != integration_id));
        }
        if res.status().is_success() || res.status().as_u16() == 404 {
            Ok(())
        } else {
            Err(DirectoryError::Unavailable(format!(
                "HTTP {}",
                res.status().as_u16()
            )))
        }
    }
}
