//! The HTTP client for ADO. One attempt per call: the caller decides whether and when to
//! retry (validation retries once at once; the sync worker retries through its queues).

use std::time::Duration;

use base64::Engine;
use reqwest::{Method, StatusCode, Url, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::AdoErrorBody;
use crate::{AdoError, Organization, Pat};

/// The resource area that answers, anonymously, whether an organization exists.
const CORE_RESOURCE_AREA: &str = "79134C72-4A58-4B42-976C-04E7115F32BF";
const API_VERSION: &str = "7.1";

#[derive(Clone, Debug)]
pub struct AdoClient {
    http: reqwest::Client,
    base: Url,
    rates: crate::rate_book::RateBook,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionData {
    pub authenticated_user: Identity,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub id: String,
    #[serde(default)]
    pub provider_display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Project {
    pub id: String,
    pub name: String,
}

#[derive(Deserialize)]
struct ListOf<T> {
    value: Vec<T>,
}

impl AdoClient {
    /// `base_url` is ADO's base (`https://dev.azure.com`); the organization is appended as
    /// the first path segment of every call.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, AdoError> {
        let base = Url::parse(base_url).map_err(|e| AdoError::Unexpected {
            status: 0,
            message: format!("invalid ADO base URL: {e}"),
        })?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            // A redirect from ADO means "go and sign in": never follow it.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("navsync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AdoError::Unexpected {
                status: 0,
                message: e.to_string(),
            })?;
        Ok(Self {
            http,
            base,
            rates: crate::rate_book::RateBook::default(),
        })
    }

    /// What ADO last said of the organization's rate limit budget, when it said anything.
    pub fn rate_budget(&self, org: &Organization) -> Option<crate::rate_book::Budget> {
        self.rates.budget(org.as_str())
    }

    /// ADO's base URL, as configured.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The organization a request URL addresses: the first segment after the base path.
    fn org_of(&self, url: &Url) -> Option<String> {
        let base_len = self
            .base
            .path_segments()
            .map_or(0, |s| s.filter(|p| !p.is_empty()).count());
        url.path_segments()?
            .nth(base_len)
            .map(str::to_ascii_lowercase)
    }

    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Asks ADO anonymously whether `org` exists, so that a PAT is never sent to a
    /// mistyped organization. Any answer but a 200 with a body means "no", except
    /// failures of ADO itself.
    pub async fn organization_exists(&self, org: &Organization) -> Result<bool, AdoError> {
        let mut url = self.url(&["_apis", "resourceAreas", CORE_RESOURCE_AREA]);
        url.query_pairs_mut()
            .append_pair("accountName", org.as_str())
            .append_pair("api-version", "5.0-preview.1");
        let request = self
            .http
            .get(url.clone())
            .header(header::ACCEPT, "application/json");
        let res = crate::traced::send(&Method::GET, &url, request)
            .await
            .map_err(transport)?;
        let status = res.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(status_error(res).await);
        }
        if status != StatusCode::OK {
            return Ok(false);
        }
        let body: serde_json::Value = res.json().await.unwrap_or(serde_json::Value::Null);
        Ok(body.is_object())
    }

    /// Who the PAT authenticates as; fails with `PatRejected` for a PAT ADO refuses.
    pub async fn connection_data(
        &self,
        org: &Organization,
        pat: &Pat,
    ) -> Result<ConnectionData, AdoError> {
        self.get_json(self.url(&[org.as_str(), "_apis", "connectionData"]), pat)
            .await
    }

    /// The organization's projects (needs the "Project and Team: Read" scope).
    pub async fn list_projects(
        &self,
        org: &Organization,
        pat: &Pat,
    ) -> Result<Vec<Project>, AdoError> {
        let list: ListOf<Project> = self
            .get_json(self.url(&[org.as_str(), "_apis", "projects"]), pat)
            .await?;
        Ok(list.value)
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        pat: &Pat,
    ) -> Result<T, AdoError> {
        self.send_json(Method::GET, url, pat, None).await
    }

    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        mut url: Url,
        pat: &Pat,
        body: Option<(&'static str, Vec<u8>)>,
    ) -> Result<T, AdoError> {
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        let traced = (method.clone(), url.clone());
        let mut req = self
            .http
            .request(method, url)
            .header(header::AUTHORIZATION, basic_auth(pat))
            .header(header::ACCEPT, "application/json")
            // Asks for a 401 rather than a redirect to a sign-in page.
            .header("X-TFS-FedAuthRedirect", "Suppress");
        if let Some((content_type, bytes)) = body {
            req = req.header(header::CONTENT_TYPE, content_type).body(bytes);
        }
        let res = crate::traced::send(&traced.0, &traced.1, req)
            .await
            .map_err(transport)?;
        if let Some(org) = self.org_of(res.url()) {
            self.rates.observe(&org, res.headers());
        }
        let status = res.status();
        if status == StatusCode::OK || status == StatusCode::CREATED {
            if !is_json(&res) {
                // A 2xx sign-in page in disguise.
                return Err(AdoError::PatRejected);
            }
            let bytes = res.bytes().await.map_err(transport)?;
            return serde_json::from_slice(&bytes).map_err(|_| AdoError::PatRejected);
        }
        Err(status_error(res).await)
    }
}

fn basic_auth(pat: &Pat) -> String {
    let raw = format!(":{}", pat.expose());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn is_json(res: &reqwest::Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("json"))
}

fn retry_after(res: &reqwest::Response) -> Option<Duration> {
    res.headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .map(|secs| Duration::from_secs_f64(secs.min(3600.0)))
}

fn transport(err: reqwest::Error) -> AdoError {
    let detail = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else {
        // without_url: the URL holds no secret, but keep messages short and stable.
        err.without_url().to_string()
    };
    AdoError::Unavailable {
        detail,
        retry_after: None,
    }
}

/// Maps a non-success answer to the error it means.
async fn status_error(res: reqwest::Response) -> AdoError {
    let status = res.status();
    let wait = retry_after(&res);
    let json = is_json(&res);
    let body: AdoErrorBody = if json {
        res.json().await.unwrap_or_default()
    } else {
        AdoErrorBody::default()
    };
    let message = if body.message.is_empty() {
        status.canonical_reason().unwrap_or("no reason").to_owned()
    } else {
        body.message
    };
    match status.as_u16() {
        401 | 203 => AdoError::PatRejected,
        301 | 302 | 303 | 307 | 308 => AdoError::PatRejected,
        200..=299 => AdoError::PatRejected,
        400 => AdoError::BadRequest {
            message,
            type_key: body.type_key,
        },
        403 => AdoError::Forbidden { message },
        404 => AdoError::NotFound { message },
        409 => AdoError::Conflict { message },
        412 => AdoError::PreconditionFailed { message },
        429 => AdoError::RateLimited { retry_after: wait },
        408 | 500..=599 => AdoError::Unavailable {
            detail: format!("HTTP {}: {message}", status.as_u16()),
            retry_after: wait,
        },
        other => AdoError::Unexpected {
            status: other,
            message,
        },
    }
}
