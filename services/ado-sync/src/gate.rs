//! One gate per ADO organization, shared by all in-flight work of this worker. It bounds
//! the calls in flight (so one busy organization cannot starve the others), keeps them
//! under the budget ADO announces in `X-RateLimit-Remaining` (a request only leaves when
//! the budget covers it and every request already in flight), and holds every call back
//! until a `Retry-After` ADO gave has passed — so no request ever arrives early. Live
//! edits take the next free slot before bulk work (creations).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use navsync_ado_client::{AdoError, Budget};
use tokio::sync::Notify;

/// The longest a call waits in process for ADO's `Retry-After`; beyond it the message goes
/// back to the queue's delayed retry, so a worker never sits on it for long.
const MAX_WAIT: Duration = Duration::from_secs(60);

#[derive(Default)]
struct OrgState {
    in_flight: usize,
    not_before: Option<Instant>,
    /// Live edits waiting for a slot: while any wait, bulk work does not take one.
    priority_waiting: usize,
}

struct OrgGate {
    state: Mutex<OrgState>,
    freed: Notify,
}

pub struct Gates {
    per_org: usize,
    orgs: Mutex<HashMap<String, Arc<OrgGate>>>,
}

/// Counts a live edit as waiting for as long as it waits.
struct Waiting<'a>(&'a OrgGate);

impl<'a> Waiting<'a> {
    fn new(gate: &'a OrgGate) -> Self {
        if let Ok(mut s) = gate.state.lock() {
            s.priority_waiting += 1;
        }
        Self(gate)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.state.lock() {
            s.priority_waiting = s.priority_waiting.saturating_sub(1);
        }
        self.0.freed.notify_waiters();
    }
}

/// Gives the reserved slot back when the call ends, however it ends.
struct Slot<'a>(&'a OrgGate);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.state.lock() {
            s.in_flight = s.in_flight.saturating_sub(1);
        }
        self.0.freed.notify_waiters();
    }
}

impl Gates {
    pub fn new(per_org: usize) -> Self {
        Self {
            per_org: per_org.max(1),
            orgs: Mutex::new(HashMap::new()),
        }
    }

    fn gate(&self, org: &str) -> Arc<OrgGate> {
        let mut orgs = match self.orgs.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        orgs.entry(org.to_ascii_lowercase())
            .or_insert_with(|| {
                Arc::new(OrgGate {
                    state: Mutex::new(OrgState::default()),
                    freed: Notify::new(),
                })
            })
            .clone()
    }

    /// Waits for a slot that respects the in-flight bound, the announced budget and any
    /// `Retry-After`, and takes it.
    async fn reserve<'a>(
        &self,
        gate: &'a OrgGate,
        priority: bool,
        budget: impl Fn() -> Option<Budget>,
    ) -> Slot<'a> {
        let _waiting = priority.then(|| Waiting::new(gate));
        loop {
            let freed = gate.freed.notified();
            let wait = {
                let Ok(mut s) = gate.state.lock() else {
                    return Slot(gate);
                };
                let now = Instant::now();
                if let Some(nb) = s.not_before.filter(|nb| *nb > now) {
                    Some(nb - now)
                } else if s.in_flight >= self.per_org || (!priority && s.priority_waiting > 0) {
                    None
                } else if let Some(b) = budget().filter(|b| b.remaining as usize <= s.in_flight) {
                    Some(
                        b.reset_at
                            .saturating_duration_since(now)
                            .max(Duration::from_millis(10)),
                    )
                } else {
                    s.in_flight += 1;
                    return Slot(gate);
                }
            };
            match wait {
                Some(wait) => {
                    metrics::histogram!("ado_retry_after_wait_seconds").record(wait.as_secs_f64());
                    tokio::time::sleep(wait).await;
                }
                None => {
                    let _ = tokio::time::timeout(Duration::from_millis(200), freed).await;
                }
            }
        }
    }

    /// Runs `call` through the organization's gate, waiting out 429 / 503 `Retry-After`
    /// answers and trying again, up to [`MAX_WAIT`] in all.
    pub async fn call<T, F, Fut>(
        &self,
        org: &str,
        priority: bool,
        budget: impl Fn() -> Option<Budget>,
        mut call: F,
    ) -> Result<T, AdoError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AdoError>>,
    {
        let gate = self.gate(org);
        let started = Instant::now();
        loop {
            let result = {
                let _slot = self.reserve(&gate, priority, &budget).await;
                call().await
            };
            let outcome = match &result {
                Ok(_) => "ok",
                Err(AdoError::RateLimited { .. }) => "429",
                Err(AdoError::Unavailable { .. }) => "unavailable",
                Err(AdoError::PatRejected) => "pat_rejected",
                Err(_) => "error",
            };
            metrics::counter!("ado_calls_total", "outcome" => outcome).increment(1);
            let wait = match &result {
                Err(err @ (AdoError::RateLimited { .. } | AdoError::Unavailable { .. })) => {
                    match err.retry_after() {
                        Some(delay) => delay,
                        None if matches!(err, AdoError::RateLimited { .. }) => {
                            Duration::from_secs(1)
                        }
                        None => return result,
                    }
                }
                _ => return result,
            };
            if let Ok(mut s) = gate.state.lock() {
                let until = Instant::now() + wait;
                s.not_before = Some(s.not_before.map_or(until, |current| current.max(until)));
            }
            if started.elapsed() + wait > MAX_WAIT {
                return result;
            }
        }
    }
}
