//! Everything the emulator holds in memory: organizations with their projects, PATs,
//! work items and service hook subscriptions, the request log, pending faults, latency,
//! rate-limit usage and the delivery history, behind one lock.
//!
//! One lock keeps it simple and consistent (a request sees a seed whole or not at all);
//! handlers hold it only for synchronous work, never across an `.await`. The hook
//! dispatcher sits beside the lock: it sends work to its own thread and never blocks.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError, Weak};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::concurrency::Concurrency;
use crate::faults::Faults;
use crate::hooks::delivery::{DeliveryLog, Dispatcher, HookSettings};
use crate::hooks::{Subscription, SubscriptionSpec};
use crate::ids::stable_uuid;
use crate::latency::Latency;
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::request_log::RequestLog;
use crate::seed::{AuthFailure, Process, ScopeFailure, SeedError, SeedOrganization, SeedPat};
use crate::work_items::WorkItemStore;
use crate::work_items::split_identity;

pub(crate) struct State {
    inner: Mutex<Inner>,
    pub(crate) dispatcher: Dispatcher,
}

#[derive(Default)]
pub(crate) struct Inner {
    /// Keyed by the lowercased name: ADO organization names are case-insensitive.
    pub(crate) orgs: BTreeMap<String, Organization>,
    pub(crate) log: RequestLog,
    /// ADO requests in flight per organization, and the most at once.
    pub(crate) concurrency: Concurrency,
    pub(crate) faults: Faults,
    pub(crate) latency: Latency,
    pub(crate) rate_limiter: RateLimiter,
    pub(crate) deliveries: DeliveryLog,
    pub(crate) hook_settings: HookSettings,
    /// `{base}` of the socket the emulator serves on, for the URLs inside events that a
    /// change made in process (not through a request) fires.
    pub(crate) public_base: Option<String>,
}

impl State {
    /// The state, with a dispatcher that reaches it back through `me`.
    pub(crate) fn new(me: Weak<State>) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            dispatcher: Dispatcher::new(me),
        }
    }

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

    /// Replaces or adds each organization; the seed must already be validated, except
    /// for its subscriptions, which are checked here against the projects. Nothing
    /// changes when one is refused.
    pub(crate) fn apply_seed(
        &mut self,
        orgs: Vec<SeedOrganization>,
        now: DateTime<Utc>,
    ) -> Result<(), SeedError> {
        let mut built = Vec::new();
        for mut seed in orgs {
            let subscriptions = std::mem::take(&mut seed.subscriptions);
            let mut org = Organization::from_seed(seed, now);
            let creator = org.admin();
            for (index, body) in subscriptions.into_iter().enumerate() {
                let spec = SubscriptionSpec::from_ado_json(&body, &org, true).map_err(|err| {
                    SeedError::InvalidSubscription {
                        org: org.name.clone(),
                        index: index + 1,
                        reason: err.message().to_owned(),
                    }
                })?;
                org.subscriptions
                    .push(Subscription::new(spec, creator.clone(), now));
            }
            built.push(org);
        }
        for org in built {
            self.rate_limiter.forget_org(&org.name);
            self.orgs.insert(org.name.to_lowercase(), org);
        }
        Ok(())
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
    /// The organization's host id (`instanceId` of connectionData, the `collection` of
    /// service hook events).
    pub(crate) instance_id: Uuid,
    /// The `account` of service hook events.
    pub(crate) account_id: Uuid,
    pub(crate) work_items: WorkItemStore,
    /// Display names by lowercased unique name: the organization's users (its PATs'
    /// identities, seeded members, and everyone who has acted here). An identity field
    /// may name only them.
    pub(crate) people: People,
    pub(crate) subscriptions: Vec<Subscription>,
    /// The budget per PAT identity; `None`: unlimited.
    pub(crate) rate_limit: Option<RateLimit>,
}

/// Display names by lowercased unique name.
pub(crate) type People = BTreeMap<String, String>;

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
        let pats: Vec<Pat> = seed
            .pats
            .into_iter()
            .map(|p| Pat::from_seed(p, &key))
            .collect();
        let mut people = People::new();
        for pat in &pats {
            people.insert(
                pat.identity.unique_name.to_lowercase(),
                pat.identity.display_name.clone(),
            );
        }
        for member in &seed.members {
            let (display, unique) = split_identity(member);
            people.insert(unique.to_lowercase(), display.to_owned());
        }
        Self {
            instance_id: stable_uuid(&["organization", &key]),
            account_id: stable_uuid(&["account", &key]),
            name: seed.name,
            process: seed.process,
            projects,
            pats,
            auth_failure: seed.auth_failure,
            scope_failure: seed.scope_failure,
            work_items: WorkItemStore::default(),
            people,
            subscriptions: Vec::new(),
            rate_limit: seed.rate_limit,
        }
    }

    /// Who the control API acts as when it creates a subscription.
    pub(crate) fn admin(&self) -> Identity {
        Identity::new(
            "Emulator Admin",
            &format!("emulator-admin@{}.example", self.name.to_lowercase()),
        )
    }

    /// Remembers a person's display name, so that a later `System.AssignedTo` of their
    /// bare unique name shows it.
    pub(crate) fn meet(&mut self, identity: &Identity) {
        self.people.insert(
            identity.unique_name.to_lowercase(),
            identity.display_name.clone(),
        );
    }

    pub(crate) fn project_by_id(&self, id: Uuid) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    pub(crate) fn subscription_mut(&mut self, id: Uuid) -> Option<&mut Subscription> {
        self.subscriptions.iter_mut().find(|s| s.id == id)
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
        self.meet(&pat.identity.clone());
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
        let display_name = seed
            .display_name
            .unwrap_or_else(|| "Emulator User".to_owned());
        Self {
            token: seed.token,
            scopes: seed.scopes,
            identity: Identity::new(&display_name, &unique_name),
        }
    }
}

/// A user: the one a PAT authenticates as, or a simulated person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) id: Uuid,
    pub(crate) display_name: String,
    pub(crate) unique_name: String,
}

impl Identity {
    /// Ids derive from the unique name, so the same person has the same id everywhere.
    pub(crate) fn new(display_name: &str, unique_name: &str) -> Self {
        Self {
            id: stable_uuid(&["identity", &unique_name.to_lowercase()]),
            display_name: display_name.to_owned(),
            unique_name: unique_name.to_owned(),
        }
    }

    /// `"Display Name <unique@name>"`, the form of identity fields in storage and in
    /// service hook payloads.
    pub(crate) fn canonical(&self) -> String {
        format!("{} <{}>", self.display_name, self.unique_name)
    }
}
