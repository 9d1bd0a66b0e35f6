//! [`Emulator`], the handle on the in-memory state that tests and the binary share, and
//! [`RunningEmulator`], the same state served on a socket. The in-process mirrors of the
//! control API live beside it: [`crate::people`] (acting as a person in ADO) and
//! [`crate::hooks::api`] (subscriptions and deliveries).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer};
use navsync_platform::{health, http_metrics};
use tokio::task::JoinHandle;

use crate::ado_error::AdoError;
use crate::faults::{Fault, FaultError};
use crate::hooks::delivery::Notification;
use crate::latency::Latency;
use crate::rate_limit::{EarlyRequest, RateLimit};
use crate::request_log::RecordedRequest;
use crate::seed::{Seed, SeedError, SeedPat};
use crate::state::State;

/// How long in-flight requests may take to finish once [`RunningEmulator::stop`] is called.
const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The emulator's state. Cheap to clone: clones share it.
#[derive(Clone)]
pub struct Emulator {
    state: Arc<State>,
}

impl Default for Emulator {
    fn default() -> Self {
        Self {
            // The hook dispatcher reaches the state back without keeping it alive.
            state: Arc::new_cyclic(|me| State::new(me.clone())),
        }
    }
}

/// A refusal of an in-process action, with the status and ADO error the same request
/// through HTTP would get.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {type_key}: {message}")]
pub struct ActionError {
    pub status: u16,
    pub type_key: String,
    pub message: String,
}

impl From<AdoError> for ActionError {
    fn from(err: AdoError) -> Self {
        Self {
            status: err.status().as_u16(),
            type_key: err.type_key().to_owned(),
            message: err.message().to_owned(),
        }
    }
}

impl Emulator {
    /// An emulator with no organizations.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn state(&self) -> &State {
        &self.state
    }

    /// Sends service hook notifications on their way (never blocks).
    pub(crate) fn dispatch(&self, notifications: Vec<Notification>) {
        self.state.dispatcher.send(notifications);
    }

    /// Adds the seed's organizations, replacing any of the same name (case-insensitive).
    /// Nothing changes when the seed is invalid.
    pub fn seed(&self, seed: Seed) -> Result<(), SeedError> {
        seed.validate()?;
        self.state
            .lock()
            .apply_seed(seed.organizations, chrono::Utc::now())
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().log.items()
    }

    /// Clears the request log, and starts the concurrency maxima afresh.
    pub fn clear_requests(&self) {
        let mut state = self.state.lock();
        state.log.clear();
        state.concurrency.clear();
    }

    /// The most ADO requests naming the organization in their path that were in flight
    /// at once (arrived and not yet answered), since the start or the last
    /// [`Emulator::clear_requests`].
    pub fn max_concurrent_requests(&self, org: &str) -> usize {
        self.state.lock().concurrency.max(org)
    }

    /// Revokes a PAT: its later uses are refused as the organization's `auth_failure`
    /// says. Revoking an unknown PAT, or one of an unknown organization, does nothing.
    pub fn revoke_pat(&self, org: &str, token: &str) {
        if let Some(org) = self.state.lock().org_mut(org) {
            org.revoke_pat(token);
        }
    }

    /// Adds a PAT to an organization (or replaces the one with the same token).
    ///
    /// # Panics
    /// When the organization does not exist or the PAT is invalid: a mistake in the
    /// calling test, best reported where it is made. See [`Emulator::try_add_pat`].
    pub fn add_pat(&self, org: &str, pat: SeedPat) {
        if let Err(err) = self.try_add_pat(org, pat) {
            panic!("Emulator::add_pat: {err}");
        }
    }

    /// [`Emulator::add_pat`] that reports its failure instead of panicking.
    pub fn try_add_pat(&self, org: &str, pat: SeedPat) -> Result<(), SeedError> {
        let mut state = self.state.lock();
        let org_state = state
            .org_mut(org)
            .ok_or_else(|| SeedError::UnknownOrganization(org.to_owned()))?;
        org_state.add_pat(pat)
    }

    /// Injects a fault (see [`Fault`]); faults apply in the order they were added.
    pub fn add_fault(&self, fault: Fault) -> Result<(), FaultError> {
        self.state.lock().faults.add(fault)
    }

    pub fn clear_faults(&self) {
        self.state.lock().faults.clear();
    }

    /// Every ADO request waits this long before it is answered (see [`Latency`]).
    pub fn set_latency(&self, latency: Latency) -> Result<(), ActionError> {
        latency.validate().map_err(|message| ActionError {
            status: 400,
            type_key: "InvalidLatencyException".to_owned(),
            message,
        })?;
        self.state.lock().latency = latency;
        Ok(())
    }

    pub fn latency(&self) -> Latency {
        self.state.lock().latency
    }

    /// Sets (or with `None` lifts) the request budget of each PAT identity of an
    /// organization, starting everyone's usage afresh.
    pub fn set_rate_limit(&self, org: &str, limit: Option<RateLimit>) -> Result<(), ActionError> {
        if let Some(limit) = &limit {
            limit.validate().map_err(|reason| ActionError {
                status: 400,
                type_key: "InvalidRateLimitException".to_owned(),
                message: format!("rate limit {reason}"),
            })?;
        }
        let mut state = self.state.lock();
        let org_state = state
            .org_mut(org)
            .ok_or_else(|| ActionError::from(AdoError::organization_not_found(org)))?;
        org_state.rate_limit = limit;
        let name = org_state.name.clone();
        state.rate_limiter.forget_org(&name);
        Ok(())
    }

    /// Requests that came while their identity had been told by `Retry-After` to wait.
    pub fn early_requests(&self) -> Vec<EarlyRequest> {
        self.state.lock().rate_limiter.early_requests()
    }

    pub fn clear_early_requests(&self) {
        self.state.lock().rate_limiter.clear_early();
    }

    /// Forgets every organization (with its work items and subscriptions), logged
    /// request, fault, delivery, latency and rate-limit usage. Hook timings stay: they
    /// are configuration.
    pub fn reset(&self) {
        let mut state = self.state.lock();
        state.orgs.clear();
        state.log.clear();
        state.concurrency.clear();
        state.faults.clear();
        state.deliveries.clear();
        state.latency = Latency::default();
        state.rate_limiter.clear();
    }

    /// Serves the emulator on `host:port` (port 0 picks a free one), with `/healthz`,
    /// `/readyz` and `/metrics` beside the ADO routes and the control API.
    pub async fn start(self, host: &str, port: u16) -> std::io::Result<RunningEmulator> {
        let listener = TcpListener::bind((host, port))?;
        self.serve(listener, DEFAULT_SHUTDOWN_TIMEOUT).await
    }

    /// [`Emulator::start`] on a listener the caller bound, with its own shutdown timeout.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown_timeout: Duration,
    ) -> std::io::Result<RunningEmulator> {
        let address = listener.local_addr()?;
        // Events name the emulator by an address a subscriber can reach back.
        let reachable = if address.ip().is_unspecified() {
            std::net::SocketAddr::from(([127, 0, 0, 1], address.port()))
        } else {
            address
        };
        self.state.lock().public_base = Some(format!("http://{reachable}"));
        http_metrics::install();
        let app_state = self.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(http_metrics::record))
                .configure(|cfg| health::configure(cfg, health::Readiness::new()))
                .configure(crate::routes::configure(app_state.clone()))
        })
        // The process's own shutdown token stops the server, not actix's signal handling.
        .disable_signals()
        .shutdown_timeout(shutdown_timeout.as_secs())
        .listen(listener)?
        .run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        Ok(RunningEmulator {
            base_url: format!("http://{address}"),
            emulator: self,
            handle,
            task,
        })
    }
}

/// A served emulator. Dropping it leaves the server running until the runtime ends.
pub struct RunningEmulator {
    /// Where clients reach it, e.g. `http://127.0.0.1:41234`; ADO's `{base}`.
    pub base_url: String,
    /// The state it serves, to seed and inspect while it runs.
    pub emulator: Emulator,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningEmulator {
    /// Stops accepting connections, lets in-flight requests finish (up to the shutdown
    /// timeout), and waits for the server to end.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "the emulator's server ended with an error")
            }
            Err(err) => tracing::warn!(error = %err, "the emulator's server task failed"),
        }
    }
}
