//! Which action items of an organization are being handled at once. The consumers take
//! many deliveries at a time (`NAVSYNC_SYNC__PREFETCH`), from every organization mixed in
//! one queue; a delivery waits here, holding nothing but its message, until its own
//! organization has room. So a busy organization's backlog queues behind itself: it
//! cannot fill the worker's handlers, database connections or ADO slots, and another
//! organization's item is handled as soon as it is delivered.
//!
//! Live edits (updates, deletions) are admitted before waiting bulk work (creations);
//! within each lane, in the order they came. A slot passes straight from the handler that
//! leaves to the next waiter, so nothing polls and nobody overtakes.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

pub struct Admissions {
    per_org: usize,
    orgs: Mutex<HashMap<String, Arc<Lane>>>,
}

struct Lane {
    per_org: usize,
    state: Mutex<LaneState>,
}

#[derive(Default)]
struct LaneState {
    admitted: usize,
    live: VecDeque<oneshot::Sender<Admitted>>,
    bulk: VecDeque<oneshot::Sender<Admitted>>,
}

/// A place among the organization's handlers, given back (to the next waiter) on drop.
pub struct Admitted(Option<Arc<Lane>>);

impl Drop for Admitted {
    fn drop(&mut self) {
        if let Some(lane) = self.0.take() {
            Lane::release(lane);
        }
    }
}

impl Lane {
    fn lock(&self) -> MutexGuard<'_, LaneState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn release(lane: Arc<Lane>) {
        let next = {
            let mut s = lane.lock();
            let next = s.live.pop_front().or_else(|| s.bulk.pop_front());
            if next.is_none() {
                s.admitted = s.admitted.saturating_sub(1);
            }
            next
        };
        if let Some(waiter) = next {
            // The place passes on as it is. A waiter that gave up sends it back inside the
            // error, where it drops and is released again, to the waiter after it.
            let _ = waiter.send(Admitted(Some(lane)));
        }
    }
}

impl Admissions {
    /// At most `per_org` items of one organization handled at once (at least one).
    pub fn new(per_org: usize) -> Self {
        Self {
            per_org: per_org.max(1),
            orgs: Mutex::new(HashMap::new()),
        }
    }

    fn lane(&self, org: &str) -> Arc<Lane> {
        let mut orgs = self.orgs.lock().unwrap_or_else(PoisonError::into_inner);
        orgs.entry(org.to_ascii_lowercase())
            .or_insert_with(|| {
                Arc::new(Lane {
                    per_org: self.per_org,
                    state: Mutex::new(LaneState::default()),
                })
            })
            .clone()
    }

    /// Waits for a place among `org`'s handlers; `live` for a person's edit, which goes
    /// before every waiting creation.
    pub async fn admit(&self, org: &str, live: bool) -> Admitted {
        let lane = self.lane(org);
        loop {
            let waiting = {
                let mut s = lane.lock();
                let ahead = !s.live.is_empty() || (!live && !s.bulk.is_empty());
                if s.admitted < lane.per_org && !ahead {
                    s.admitted += 1;
                    return Admitted(Some(lane.clone()));
                }
                let (tx, rx) = oneshot::channel();
                if live {
                    s.live.push_back(tx);
                } else {
                    s.bulk.push_back(tx);
                }
                rx
            };
            // A sender is only ever dropped unsent if the lane itself went away, which
            // it does not while `lane` is held: then simply ask again.
            if let Ok(admitted) = waiting.await {
                return admitted;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn settle() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    /// Starts a waiter that reports `name` once admitted and holds its place until told.
    fn waiter(
        admissions: &Arc<Admissions>,
        org: &'static str,
        live: bool,
        name: &'static str,
        order: &tokio::sync::mpsc::UnboundedSender<&'static str>,
    ) -> oneshot::Sender<()> {
        let (done, hold) = oneshot::channel::<()>();
        let (admissions, order) = (admissions.clone(), order.clone());
        tokio::spawn(async move {
            let _admitted = admissions.admit(org, live).await;
            let _ = order.send(name);
            let _ = hold.await;
        });
        done
    }

    #[tokio::test]
    async fn live_edits_go_before_waiting_creations_and_each_lane_keeps_its_order() {
        let admissions = Arc::new(Admissions::new(1));
        let (tx, mut order) = tokio::sync::mpsc::unbounded_channel();
        let first = waiter(&admissions, "org", false, "first", &tx);
        settle().await;
        let mut held = std::collections::HashMap::new();
        for (live, name) in [
            (false, "create 1"),
            (true, "edit 1"),
            (false, "create 2"),
            (true, "edit 2"),
        ] {
            held.insert(name, waiter(&admissions, "org", live, name, &tx));
            settle().await;
        }
        drop(first);
        let mut seen = vec![order.recv().await.expect("first")];
        while !held.is_empty() {
            // Whoever was admitted finishes, and the place passes on.
            let name = order.recv().await.expect("admitted");
            seen.push(name);
            held.remove(name);
        }
        assert_eq!(
            seen,
            ["first", "edit 1", "edit 2", "create 1", "create 2"],
            "edits first, then creations, each in arrival order"
        );
    }

    #[tokio::test]
    async fn a_busy_organization_does_not_hold_back_another() {
        let admissions = Arc::new(Admissions::new(2));
        let (tx, mut order) = tokio::sync::mpsc::unbounded_channel();
        let _busy: Vec<_> = (0..5)
            .map(|_| waiter(&admissions, "busy", false, "busy", &tx))
            .collect();
        settle().await;
        let _quiet = waiter(&admissions, "quiet", false, "quiet", &tx);
        settle().await;
        let mut seen = Vec::new();
        while let Ok(name) = order.try_recv() {
            seen.push(name);
        }
        assert_eq!(
            seen,
            ["busy", "busy", "quiet"],
            "two busy at most, quiet at once"
        );
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_passes_its_turn_to_the_next() {
        let admissions = Arc::new(Admissions::new(1));
        let (tx, mut order) = tokio::sync::mpsc::unbounded_channel();
        let first = waiter(&admissions, "org", false, "first", &tx);
        settle().await;
        let impatient = {
            let admissions = admissions.clone();
            tokio::spawn(async move {
                let _ = admissions.admit("org", false).await;
                unreachable!("cancelled before its turn");
            })
        };
        settle().await;
        let _next = waiter(&admissions, "org", false, "next", &tx);
        settle().await;
        impatient.abort();
        settle().await;
        drop(first);
        assert_eq!(order.recv().await, Some("first"));
        assert_eq!(order.recv().await, Some("next"));
    }
}
