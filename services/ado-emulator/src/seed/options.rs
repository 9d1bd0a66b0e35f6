//! The seed's choices per organization: its process, and the shapes in which it refuses a
//! bad PAT or a missing scope. Each accepts the spellings people write in JSON (`"CMMI"`
//! or `"cmmi"`, `"401"` or `401`) and refuses anything else with the list of choices.

use serde::{Deserialize, Serialize};

/// The process template every project of the organization uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Process {
    Basic,
    #[default]
    Agile,
    Scrum,
    Cmmi,
}

impl Process {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "Basic",
            Self::Agile => "Agile",
            Self::Scrum => "Scrum",
            Self::Cmmi => "CMMI",
        }
    }
}

impl TryFrom<String> for Process {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        [Self::Basic, Self::Agile, Self::Scrum, Self::Cmmi]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(value.trim()))
            .ok_or_else(|| {
                format!("unknown process \"{value}\": expected Basic, Agile, Scrum or CMMI")
            })
    }
}

impl From<Process> for String {
    fn from(value: Process) -> Self {
        value.as_str().to_owned()
    }
}

/// The three ways dev.azure.com refuses a bad PAT (ADO.md, "Authentication with a PAT").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StatusText", into = "String")]
pub enum AuthFailure {
    /// 401 with a JSON `TF400813` error.
    #[default]
    Unauthorized,
    /// 203 with an HTML sign-in page.
    SignInPage,
    /// 302 to a sign-in page, or 401 when the request asks `X-TFS-FedAuthRedirect: Suppress`.
    Redirect,
}

/// How a PAT that lacks a needed scope is refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StatusText", into = "String")]
pub enum ScopeFailure {
    /// 401, what integrators see from dev.azure.com.
    #[default]
    Unauthorized,
    /// 403, the documented alternative.
    Forbidden,
}

/// A status written either as `"401"` or as `401`.
#[derive(Deserialize)]
#[serde(untagged)]
enum StatusText {
    Number(u16),
    Text(String),
}

impl StatusText {
    fn code(self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Text(t) => t.trim().to_owned(),
        }
    }
}

impl TryFrom<StatusText> for AuthFailure {
    type Error = String;
    fn try_from(value: StatusText) -> Result<Self, String> {
        match value.code().as_str() {
            "401" => Ok(Self::Unauthorized),
            "203" => Ok(Self::SignInPage),
            "302" => Ok(Self::Redirect),
            other => Err(format!(
                "unknown auth_failure \"{other}\": expected 401, 203 or 302"
            )),
        }
    }
}

impl From<AuthFailure> for String {
    fn from(value: AuthFailure) -> Self {
        match value {
            AuthFailure::Unauthorized => "401",
            AuthFailure::SignInPage => "203",
            AuthFailure::Redirect => "302",
        }
        .to_owned()
    }
}

impl TryFrom<StatusText> for ScopeFailure {
    type Error = String;
    fn try_from(value: StatusText) -> Result<Self, String> {
        match value.code().as_str() {
            "401" => Ok(Self::Unauthorized),
            "403" => Ok(Self::Forbidden),
            other => Err(format!(
                "unknown scope_failure \"{other}\": expected 401 or 403"
            )),
        }
    }
}

impl From<ScopeFailure> for String {
    fn from(value: ScopeFailure) -> Self {
        match value {
            ScopeFailure::Unauthorized => "401",
            ScopeFailure::Forbidden => "403",
        }
        .to_owned()
    }
}
