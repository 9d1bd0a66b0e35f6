//! Everything the emulator holds in memory: organizations with their projects and PATs,
//! the request log and the pending faults, behind one lock.
//!
//! One lock keeps it simple and consistent (a request sees a seed whole or not at all);
//! handlers hold it only for synchronous work, never across an `.await`.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::faults::Faults;
use crate::ids::stable_uuid;
use crate::request_log::RequestLog;
use crate::seed::{AuthFailure, Process, ScopeFailure, SeedError, SeedOrganization, SeedPat};

#[derive(Default)]
pub(crate) struct State {
    inner: Mutex<Inner>,
}

#[derive(Default)]
pub(crate) struct Inner {
    /// Keyed by the lowercased name: ADO organization names are case-insensitive.
    pub(crate) orgs: BTreeMap<String, Organization>,
    pub(crate) log: RequestLog,
    pub(crate) faults: Faults,
}

impl State {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind, still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    pub(crate) fn org(&self, name: &str) -> Option<&Organization> {
        self.orgs.get(&name.to_lowercase())
    }

    pub(crate) fn org_mut(&mut self, name: &str) -> Option<&mut Organization> {
        self.orgs.get_mut(&name.to_lowercase())
    }

    /// Replaces or adds each organization; the seed must already be validated.
    pub(crate) fn apply_seed(&mut self, orgs: Vec<SeedOrganization>, now: DateTime<Utc>) {
        for seed in orgs {
            let org = Organization::from_seed(seed, now);
            self.orgs.insert(org.name.to_lowercase(), org);
        }
    }
}

pub(crate) struct Organization {
    /// As seeded; URLs the emulator builds use this spelling.
    pub(crate) name: String,
    pub(crate) process: Process,
    pub(crate) projects: Vec<Project>,
    pub(crate) pats: Vec<Pat>,
    pub(crate) auth_failure: AuthFailure,
    pub(crate) scope_failure: ScopeFailure,
    /// The organization's host id (`instanceId` of connectionData).
    pub(crate) instance_id: Uuid,
}

impl Organization {
    fn from_seed(seed: SeedOrganization, now: DateTime<Utc>) -> Self {
        let key = seed.name.to_lowercase();
        let projects = seed
            .projects
            .into_iter()
            .map(|name| Project {
                id: stable_uuid(&["project", &key, &name.to_lowercase()]),
                name,
                description: String::new(),
                revision: 1,
                last_update_time: now,
            })
            .collect();
        let pats = seed
            .pats
            .into_iter()
            .map(|p| Pat::from_seed(p, &key))
            .collect();
        Self {
            instance_id: stable_uuid(&["organization", &key]),
            name: seed.name,
            process: seed.process,
            projects,
            pats,
            auth_failure: seed.auth_failure,
            scope_failure: seed.scope_failure,
        }
    }

    /// A project by id (any GUID spelling) or by name (case-insensitive).
    pub(crate) fn project(&self, id_or_name: &str) -> Option<&Project> {
        match Uuid::parse_str(id_or_name) {
            Ok(id) => self.projects.iter().find(|p| p.id == id),
            Err(_) => self
                .projects
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(id_or_name)),
        }
    }

    pub(crate) fn pat(&self, token: &str) -> Option<&Pat> {
        self.pats.iter().find(|p| p.token == token)
    }

    /// Adds a PAT, replacing one with the same token.
    pub(crate) fn add_pat(&mut self, pat: SeedPat) -> Result<(), SeedError> {
        crate::seed::validate_pat(&pat).map_err(|reason| SeedError::InvalidPat {
            org: self.name.clone(),
            index: 1,
            reason,
        })?;
        let pat = Pat::from_seed(pat, &self.name.to_lowercase());
        self.pats.retain(|p| p.token != pat.token);
        self.pats.push(pat);
        Ok(())
    }

    /// Forgets a PAT, as ADO does once a PAT is revoked: later uses are refused.
    pub(crate) fn revoke_pat(&mut self, token: &str) -> bool {
        let before = self.pats.len();
        self.pats.retain(|p| p.token != token);
        self.pats.len() != before
    }
}

pub(crate) struct Project {
    pub(crate) id: Uuid,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) revision: u64,
    pub(crate) last_update_time: DateTime<Utc>,
}

pub(crate) struct Pat {
    pub(crate) token: String,
    /// `None`: every scope.
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) identity: Identity,
}

impl Pat {
    fn from_seed(seed: SeedPat, org_key: &str) -> Self {
        let unique_name = seed
            .unique_name
            .unwrap_or_else(|| format!("emulator-user@{org_key}.example"));
        Self {
            token: seed.token,
            scopes: seed.scopes,
            identity: Identity {
                id: stable_uuid(&["identity", &unique_name.to_lowercase()]),
                display_name: seed
                    .display_name
                    .unwrap_or_else(|| "Emulator User".to_owned()),
                unique_name,
            },
        }
    }
}

/// The user a PAT authenticates as.
#[derive(Clone)]
pub(crate) struct Identity {
    pub(crate) id: Uuid,
    pub(crate) display_name: String,
    pub(crate) unique_name: String,
}
