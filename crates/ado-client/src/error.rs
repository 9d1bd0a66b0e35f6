//! Every way an ADO call can fail, as one type that callers match on. Messages carry
//! ADO's own words where ADO gave some, and never a credential.

use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum AdoError {
    /// 401, a 203 sign-in page, a redirect to sign in, or a 2xx that is not JSON: ADO did
    /// not accept the PAT (bad, expired or revoked).
    #[error("Azure DevOps rejected the Personal Access Token")]
    PatRejected,
    /// 403: authenticated, but not allowed (usually a missing scope).
    #[error("Azure DevOps refused access: {message}")]
    Forbidden { message: String },
    #[error("Azure DevOps found no such resource: {message}")]
    NotFound { message: String },
    /// 400: a rule or a field value ADO refused; `message` is ADO's own.
    #[error("Azure DevOps refused the request: {message}")]
    BadRequest { message: String, type_key: String },
    #[error("Azure DevOps reports a conflicting change: {message}")]
    Conflict { message: String },
    #[error("Azure DevOps refused a stale revision: {message}")]
    PreconditionFailed { message: String },
    #[error("Azure DevOps is rate limiting this identity")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx (503 may carry `Retry-After`), a timeout, or no connection.
    #[error("Azure DevOps is unavailable: {detail}")]
    Unavailable {
        detail: String,
        retry_after: Option<Duration>,
    },
    #[error("Azure DevOps answered unexpectedly ({status}): {message}")]
    Unexpected { status: u16, message: String },
}

impl AdoError {
    /// Worth retrying later without any change on our side.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::RateLimited { .. })
    }

    /// How long ADO asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::Unavailable { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}

/// ADO's JSON error body; only the fields navsync reads.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct AdoErrorBody {
    #[serde(default)]
    pub message: String,
    #[serde(default, rename = "typeKey")]
    pub type_key: String,
}
