//! One gate per ADO organization, shared by all in-flight work of this worker. It bounds
//! the calls in flight (so one busy organization cannot starve the others), keeps them
//! under the budget ADO announces in `X-RateLimit-Remaining` (a request only leaves when
//! the budget covers it and every request already in flight), and holds every call back
//! until a `Retry-After` ADO gave has passed — so no request ever arrives early. Before
//! the first call of an organization has gone through, and after ADO refused one, a
//! single call goes first (see `OrgState::probing`). Live edits take the next free slot
//! before bulk work (creations, the reconciler's reads).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use navsync_ado_client::{AdoError, Budget};
use tokio::sync::Notify;

/// The longest a call waits in process for ADO's `Retry-After`; beyond it the message goes
/// back to the queue's delayed retry, so a worker never sits on it for long.
const MAX_WAIT: Duration = Duration::from_secs(60);

struct OrgState {
    in_flight: usize,
    not_before: Option<Instant>,
    /// Live edits waiting for a slot: while any wait, bulk work does not take one.
    priority_waiting: usize,
    /// One call at a time until ADO has answered one without refusing it. A budget
    /// someone else (another tool with the same PAT) has spent is unknown to us until
    /// ADO refuses a call; calls already on their way then arrive after its
    /// `Retry-After` began, i.e. early. So a worker that has not heard from the
    /// organization yet, or was just refused, sends one call first and the rest only
    /// once it went through (or ADO announced a budget).
    probing: bool,
}

impl Default for OrgState {
    fn default() -> Self {
        Self {
            in_flight: 0,
            not_before: None,
            priority_waiting: 0,
            probing: true,
        }
    }
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
                let budget = budget();
                if let Some(nb) = s.not_before.filter(|nb| *nb > now) {
                    Some(nb - now)
                } else if s.in_flight >= self.per_org || (!priority && s.priority_waiting > 0) {
                    None
                } else if let Some(b) = budget.filter(|b| b.remaining as usize <= s.in_flight) {
                    Some(
                        b.reset_at
                            .saturating_duration_since(now)
                            .max(Duration::from_millis(10)),
                    )
                } else if s.probing && budget.is_none() && s.in_flight > 0 {
                    None
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
            let refused = matches!(
                result,
                Err(AdoError::RateLimited { .. } | AdoError::Unavailable { .. })
            );
            // Any other answer (even a 400 or a 401) says ADO took the call: the others may follow.
            if let Ok(mut s) = gate.state.lock() {
                let was_probing = std::mem::replace(&mut s.probing, refused);
                if was_probing && !refused {
                    gate.freed.notify_waiters();
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::{mpsc, oneshot};

    /// Runs one call through `gates` that reports `name` when it reaches ADO and ends
    /// when `hold` is released (or at once without one).
    fn call(
        gates: &Arc<Gates>,
        priority: bool,
        name: &'static str,
        reached: &mpsc::UnboundedSender<&'static str>,
        hold: Option<oneshot::Receiver<()>>,
    ) {
        let (gates, reached) = (gates.clone(), reached.clone());
        tokio::spawn(async move {
            let mut hold = hold;
            let _ = gates
                .call(
                    "org",
                    priority,
                    || None,
                    || {
                        let _ = reached.send(name);
                        let hold = hold.take();
                        async move {
                            if let Some(hold) = hold {
                                let _ = hold.await;
                            }
                            Ok::<_, AdoError>(())
                        }
                    },
                )
                .await;
        });
    }

    async fn settle() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    #[tokio::test]
    async fn the_first_call_to_an_organization_goes_alone_and_then_the_others_together() {
        let gates = Arc::new(Gates::new(3));
        let (tx, mut reached) = mpsc::unbounded_channel();
        let (release, hold) = oneshot::channel();
        call(&gates, false, "first", &tx, Some(hold));
        settle().await;
        let mut releases = Vec::new();
        for name in ["second", "third"] {
            let (release, hold) = oneshot::channel();
            call(&gates, false, name, &tx, Some(hold));
            releases.push(release);
        }
        settle().await;
        assert_eq!(reached.recv().await, Some("first"));
        assert!(
            reached.try_recv().is_err(),
            "the others wait for its answer"
        );
        let _ = release.send(());
        settle().await;
        let mut together = Vec::new();
        for _ in 0..2 {
            let next = tokio::time::timeout(Duration::from_secs(1), reached.recv()).await;
            together.push(next.ok().flatten());
        }
        together.sort();
        assert_eq!(
            together,
            [Some("second"), Some("third")],
            "then in flight at once"
        );
        drop(releases);
    }

    #[tokio::test]
    async fn a_waiting_live_edit_always_goes_before_waiting_bulk_work() {
        let gates = Arc::new(Gates::new(1));
        let (tx, mut reached) = mpsc::unbounded_channel();
        let (release, hold) = oneshot::channel();
        call(&gates, false, "in flight", &tx, Some(hold));
        settle().await;
        // Bulk work (creations, the reconciler's reads) waits first; a live edit comes last.
        for name in ["bulk 1", "bulk 2", "bulk 3"] {
            call(&gates, false, name, &tx, None);
        }
        settle().await;
        call(&gates, true, "live edit", &tx, None);
        settle().await;
        assert_eq!(reached.recv().await, Some("in flight"));
        assert!(reached.try_recv().is_err(), "one call in flight at most");
        let _ = release.send(());
        assert_eq!(
            reached.recv().await,
            Some("live edit"),
            "the live edit takes the freed slot"
        );
        for _ in 0..3 {
            let next = reached.recv().await;
            assert!(next.is_some_and(|n| n.starts_with("bulk")), "{next:?}");
        }
    }
}
