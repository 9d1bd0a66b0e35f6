//! The seed: which organizations, projects, PATs, service hook subscriptions and rate
//! limits the emulator holds, read from the
//! file named by `NAVSYNC_EMULATOR__SEED`, from `POST /_emulator/seed`, or built in Rust
//! by tests. Parsing and validation live here, apart from the state they fill, so that a
//! bad seed is refused whole with a message naming what is wrong — and never echoing a PAT.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rate_limit::RateLimit;

mod options;
mod pat;

pub use options::{AuthFailure, Process, ScopeFailure};
pub use pat::SeedPat;

/// Organizations to add, or to replace when one of the same name exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub organizations: Vec<SeedOrganization>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedOrganization {
    /// The organization's name as ADO spells it; matched case-insensitively.
    pub name: String,
    #[serde(default)]
    pub process: Process,
    /// Project names.
    #[serde(default)]
    pub projects: Vec<String>,
    #[serde(default)]
    pub pats: Vec<SeedPat>,
    /// How a missing, unknown or revoked PAT is refused.
    #[serde(default)]
    pub auth_failure: AuthFailure,
    /// How a PAT without a needed scope is refused.
    #[serde(default)]
    pub scope_failure: ScopeFailure,
    /// A request budget per PAT identity; absent: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// The organization's users besides its PATs' identities, as `"Display Name
    /// <unique@name>"` or a bare unique name: who `System.AssignedTo` may name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Service hook subscriptions, each in the JSON of ADO's
    /// `POST _apis/hooks/subscriptions` (a project may be named instead of its id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<serde_json::Value>,
}

impl SeedOrganization {
    /// An Agile organization with no projects or PATs and the default failure shapes.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            process: Process::default(),
            projects: Vec::new(),
            pats: Vec::new(),
            auth_failure: AuthFailure::default(),
            scope_failure: ScopeFailure::default(),
            rate_limit: None,
            members: Vec::new(),
            subscriptions: Vec::new(),
        }
    }
}

/// Why a seed was refused. Messages name the organization and field, never a token.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("could not read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("not a valid seed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("an organization has an empty name")]
    EmptyOrganizationName,
    #[error(
        "organization \"{0}\": a name is 1 to 50 letters, digits or hyphens, starting and ending with a letter or digit"
    )]
    InvalidOrganizationName(String),
    #[error("organization \"{0}\" appears twice in the seed (names are case-insensitive)")]
    DuplicateOrganization(String),
    #[error("organization \"{org}\", project \"{project}\": {reason}")]
    InvalidProjectName {
        org: String,
        project: String,
        reason: &'static str,
    },
    #[error(
        "organization \"{org}\": project \"{project}\" appears twice (names are case-insensitive)"
    )]
    DuplicateProject { org: String, project: String },
    #[error("organization \"{org}\": PAT number {index} {reason}")]
    InvalidPat {
        org: String,
        index: usize,
        reason: &'static str,
    },
    #[error("organization \"{0}\" does not exist")]
    UnknownOrganization(String),
    #[error("organization \"{org}\": rate_limit {reason}")]
    InvalidRateLimit { org: String, reason: &'static str },
    #[error("organization \"{org}\": subscription number {index}: {reason}")]
    InvalidSubscription {
        org: String,
        index: usize,
        reason: String,
    },
}

/// Reads and validates the seed file.
pub fn load_file(path: &Path) -> Result<Seed, SeedError> {
    let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let seed: Seed = serde_json::from_str(&text)?;
    seed.validate()?;
    Ok(seed)
}

impl Seed {
    /// Checks everything the state relies on, so that seeding is all or nothing.
    pub fn validate(&self) -> Result<(), SeedError> {
        let mut names = HashSet::new();
        for org in &self.organizations {
            org.validate()?;
            if !names.insert(org.name.to_lowercase()) {
                return Err(SeedError::DuplicateOrganization(org.name.clone()));
            }
        }
        Ok(())
    }
}

impl SeedOrganization {
    fn validate(&self) -> Result<(), SeedError> {
        validate_org_name(&self.name)?;
        let mut projects = HashSet::new();
        for project in &self.projects {
            if let Err(reason) = check_project_name(project) {
                return Err(SeedError::InvalidProjectName {
                    org: self.name.clone(),
                    project: project.clone(),
                    reason,
                });
            }
            if !projects.insert(project.to_lowercase()) {
                return Err(SeedError::DuplicateProject {
                    org: self.name.clone(),
                    project: project.clone(),
                });
            }
        }
        let mut tokens = HashSet::new();
        for (i, pat) in self.pats.iter().enumerate() {
            let invalid = |reason| SeedError::InvalidPat {
                org: self.name.clone(),
                index: i + 1,
                reason,
            };
            validate_pat(pat).map_err(invalid)?;
            if !tokens.insert(pat.token.as_str()) {
                return Err(invalid("repeats the token of an earlier PAT"));
            }
        }
        if let Some(limit) = &self.rate_limit {
            limit
                .validate()
                .map_err(|reason| SeedError::InvalidRateLimit {
                    org: self.name.clone(),
                    reason,
                })?;
        }
        Ok(())
    }
}

/// ADO.md: `^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$`.
pub(crate) fn validate_org_name(name: &str) -> Result<(), SeedError> {
    if name.is_empty() {
        return Err(SeedError::EmptyOrganizationName);
    }
    let bytes = name.as_bytes();
    let ok = bytes.len() <= 50
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric);
    if ok {
        Ok(())
    } else {
        Err(SeedError::InvalidOrganizationName(name.to_owned()))
    }
}

/// ADO's project naming restrictions.
fn check_project_name(name: &str) -> Result<(), &'static str> {
    const FORBIDDEN: &[char] = &[
        '\\', '/', ':', '*', '?', '"', '<', '>', '|', ';', '#', '$', '{', '}', ',', '+', '=', '[',
        ']',
    ];
    if name.trim().is_empty() {
        Err("the name is empty")
    } else if name.chars().count() > 64 {
        Err("the name is longer than 64 characters")
    } else if name.starts_with('_') || name.starts_with('.') || name.ends_with('.') {
        Err("the name must not start with '_' or '.', nor end with '.'")
    } else if name
        .chars()
        .any(|c| FORBIDDEN.contains(&c) || c.is_control())
    {
        Err("the name contains a character ADO forbids (\\ / : * ? \" < > | ; # $ { } , + = [ ])")
    } else {
        Ok(())
    }
}

pub(crate) fn validate_pat(pat: &SeedPat) -> Result<(), &'static str> {
    if pat.token.is_empty() {
        return Err("has an empty token");
    }
    if pat
        .token
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("has whitespace in its token");
    }
    if pat.scopes.iter().flatten().any(|s| s.trim().is_empty()) {
        return Err("has an empty scope");
    }
    if pat
        .unique_name
        .as_deref()
        .is_some_and(|n| n.trim().is_empty())
    {
        return Err("has an empty unique_name");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
