//! Who an integration is, as far as the ingress needs to know: its company, organization,
//! whether it is enabled, and the digest of its webhook secret. Read from integrations'
//! internal API with the service credential and kept briefly in a bounded cache:
//!
//! - a known integration for `secret_cache_ttl_secs`, an unknown id for
//!   `unknown_cache_ttl_secs`, so a burst of deliveries — or of made-up ids — costs one
//!   call to `integrations`, not one per request (concurrent misses for one id share the
//!   call);
//! - a failure to reach `integrations` is never cached, and is never taken for "unknown":
//!   the caller answers 503, which ADO retries, not 401, which would put the
//!   subscription on probation for our own outage;
//! - `integration.changed.v1` drops an entry at once ([`Directory::forget`]);
//! - at most [`MAX_LOOKUPS_IN_FLIGHT`] calls per replica are in flight, so that even
//!   made-up ids that are all different (which no cache can absorb) put a bounded load on
//!   `integrations`; a request that cannot get a turn in time is answered 503.
//!
//! The secret itself is not kept: only its SHA-256 (see [`crate::auth`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::future::Cache;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::auth::SecretDigest;
use crate::config::IngressSettings;

/// What the ingress knows of an integration.
#[derive(Debug, Clone)]
pub struct Integration {
    pub id: Uuid,
    pub company_id: Uuid,
    pub organization: String,
    pub enabled: bool,
    pub secret: SecretDigest,
}

/// The part of integrations' internal view the ingress reads (the PAT is not read).
#[derive(Deserialize)]
struct InternalView {
    id: Uuid,
    company_id: Uuid,
    organization: String,
    enabled: bool,
    webhook_secret: SecretString,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum LookupError {
    /// integrations did not answer, answered 5xx, or refused our service credential.
    #[error("integrations is unavailable: {0}")]
    Unavailable(String),
}

type Entry = Option<Arc<Integration>>;

/// Calls to integrations in flight at once, per replica.
pub const MAX_LOOKUPS_IN_FLIGHT: usize = 32;

/// Known integrations live `known`, unknown ids `unknown`.
struct Lifetimes {
    known: Duration,
    unknown: Duration,
}

impl Expiry<Uuid, Entry> for Lifetimes {
    fn expire_after_create(&self, _: &Uuid, value: &Entry, _: Instant) -> Option<Duration> {
        Some(if value.is_some() {
            self.known
        } else {
            self.unknown
        })
    }
}

#[derive(Clone)]
pub struct Directory {
    http: reqwest::Client,
    base_url: Arc<str>,
    service_token: SecretString,
    cache: Cache<Uuid, Entry>,
    in_flight: Arc<Semaphore>,
    timeout: Duration,
}

impl Directory {
    pub fn new(
        integrations_url: &str,
        service_token: SecretString,
        settings: &IngressSettings,
    ) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(settings.integrations_timeout_ms);
        let http = reqwest::Client::builder().timeout(timeout).build()?;
        let cache = Cache::builder()
            .max_capacity(settings.cache_capacity)
            .expire_after(Lifetimes {
                known: Duration::from_secs(settings.secret_cache_ttl_secs),
                unknown: Duration::from_secs(settings.unknown_cache_ttl_secs),
            })
            .build();
        Ok(Self {
            http,
            base_url: integrations_url.trim_end_matches('/').into(),
            service_token,
            cache,
            in_flight: Arc::new(Semaphore::new(MAX_LOOKUPS_IN_FLIGHT)),
            timeout,
        })
    }

    /// The integration `id`, `None` when integrations does not know it.
    pub async fn lookup(&self, id: Uuid) -> Result<Entry, LookupError> {
        self.cache
            .try_get_with(id, self.fetch(id))
            .await
            .map_err(|err: Arc<LookupError>| (*err).clone())
    }

    /// Forgets what is cached about `id`: the next request reads it again.
    pub async fn forget(&self, id: Uuid) {
        self.cache.invalidate(&id).await;
    }

    async fn fetch(&self, id: Uuid) -> Result<Entry, LookupError> {
        let _turn = tokio::time::timeout(self.timeout, self.in_flight.acquire())
            .await
            .map_err(|_| LookupError::Unavailable("too many lookups in flight".into()))?
            .map_err(|_| LookupError::Unavailable("the lookup queue is closed".into()))?;
        let url = format!("{}/internal/v1/integrations/{id}", self.base_url);
        let res = self
            .http
            .get(&url)
            .bearer_auth(self.service_token.expose_secret())
            .send()
            .await
            .map_err(|e| LookupError::Unavailable(e.without_url().to_string()))?;
        match res.status().as_u16() {
            200 => {
                let view: InternalView = res
                    .json()
                    .await
                    .map_err(|e| LookupError::Unavailable(format!("unreadable answer: {e}")))?;
                if view.id != id {
                    return Err(LookupError::Unavailable(
                        "integrations answered about another integration".into(),
                    ));
                }
                Ok(Some(Arc::new(Integration {
                    id,
                    company_id: view.company_id,
                    organization: view.organization,
                    enabled: view.enabled,
                    secret: SecretDigest::of(view.webhook_secret.expose_secret()),
                })))
            }
            404 => Ok(None),
            401 | 403 => {
                // Our own misconfiguration; say so loudly, and never blame the caller.
                tracing::error!(
                    status = res.status().as_u16(),
                    "integrations refused our service credential: check NAVSYNC_AUTH__SERVICE_TOKEN"
                );
                Err(LookupError::Unavailable(format!(
                    "integrations refused the service credential ({})",
                    res.status().as_u16()
                )))
            }
            status => Err(LookupError::Unavailable(format!(
                "integrations answered {status}"
            ))),
        }
    }
}
