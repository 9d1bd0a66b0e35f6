//! ADO's throttling, reduced to what clients must cope with: a budget of requests per
//! PAT identity in a sliding window; beyond it, 429 with `Retry-After` and the
//! `X-RateLimit-*` headers.
//!
//! ADO counts TSTUs (a measure of server load), not requests; the emulator counts
//! requests, which is what a test can reason about. It also remembers every request that
//! came back *before* the `Retry-After` its identity was told had passed — an "early
//! request" — so that tests can assert that no client jumps the queue.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A budget: `requests` per PAT identity in any `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub requests: u32,
    pub window_secs: u64,
}

impl RateLimit {
    pub fn new(requests: u32, window_secs: u64) -> Self {
        Self {
            requests,
            window_secs,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), &'static str> {
        if self.requests == 0 {
            return Err("needs requests of at least 1");
        }
        if self.window_secs == 0 || self.window_secs > 86_400 {
            return Err("needs window_secs between 1 and 86400");
        }
        Ok(())
    }

    fn window(&self) -> Duration {
        Duration::from_secs(self.window_secs)
    }
}

/// A request that arrived while its identity had been told to wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlyRequest {
    pub organization: String,
    /// The PAT identity's `unique_name`.
    pub identity: String,
    pub method: String,
    pub path: String,
    pub at: DateTime<Utc>,
    /// When the `Retry-After` it was told ends.
    pub retry_after_until: DateTime<Utc>,
    /// How much too early it came.
    pub early_by_ms: u64,
}

/// What the rate limiter says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Allowed {
        limit: u32,
        remaining: u32,
        /// Unix seconds when the identity's usage is back to zero.
        reset: i64,
    },
    Limited {
        retry_after_secs: u64,
        limit: u32,
        reset: i64,
    },
}

#[derive(Default)]
struct Usage {
    hits: VecDeque<Instant>,
    /// The end of the last `Retry-After` the identity was told, monotonic and wall-clock.
    blocked_until: Option<(Instant, DateTime<Utc>)>,
}

/// The usage of every identity, and the early requests seen.
#[derive(Default)]
pub(crate) struct RateLimiter {
    /// Keyed by (lowercased organization, lowercased unique name).
    usage: HashMap<(String, String), Usage>,
    early: Vec<EarlyRequest>,
}

/// The facts of a request the limiter needs.
pub(crate) struct Arrival<'a> {
    pub(crate) org: &'a str,
    pub(crate) identity: &'a str,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) now: Instant,
    pub(crate) now_utc: DateTime<Utc>,
}

impl RateLimiter {
    /// Counts the request against the identity's budget, or refuses it.
    pub(crate) fn check(&mut self, limit: RateLimit, arrival: &Arrival<'_>) -> Decision {
        let key = (arrival.org.to_lowercase(), arrival.identity.to_lowercase());
        let usage = self.usage.entry(key).or_default();
        let window = limit.window();
        let now = arrival.now;
        while usage
            .hits
            .front()
            .is_some_and(|hit| now.saturating_duration_since(*hit) >= window)
        {
            usage.hits.pop_front();
        }
        let reset_at = |usage: &Usage| {
            let newest = usage.hits.back().copied().unwrap_or(now);
            let left = (newest + window).saturating_duration_since(now);
            arrival.now_utc.timestamp() + secs_ceil(left)
        };

        if let Some((until, until_utc)) = usage.blocked_until
            && now < until
        {
            // Told to wait and did not: refused again, and written down.
            let early_by = until - now;
            self.early.push(EarlyRequest {
                organization: arrival.org.to_owned(),
                identity: arrival.identity.to_owned(),
                method: arrival.method.to_owned(),
                path: arrival.path.to_owned(),
                at: arrival.now_utc,
                retry_after_until: until_utc,
                early_by_ms: u64::try_from(early_by.as_millis()).unwrap_or(u64::MAX),
            });
            return Decision::Limited {
                retry_after_secs: u64::try_from(secs_ceil(early_by)).unwrap_or(1).max(1),
                limit: limit.requests,
                reset: reset_at(usage),
            };
        }

        let used = u32::try_from(usage.hits.len()).unwrap_or(u32::MAX);
        if used >= limit.requests {
            // Room comes back when the oldest request leaves the window.
            let oldest = usage.hits.front().copied().unwrap_or(now);
            let wait = (oldest + window).saturating_duration_since(now);
            let retry_after_secs = u64::try_from(secs_ceil(wait)).unwrap_or(1).max(1);
            let told = Duration::from_secs(retry_after_secs);
            usage.blocked_until = Some((
                now + told,
                arrival.now_utc + chrono::Duration::from_std(told).unwrap_or_default(),
            ));
            return Decision::Limited {
                retry_after_secs,
                limit: limit.requests,
                reset: reset_at(usage),
            };
        }
        usage.hits.push_back(now);
        Decision::Allowed {
            limit: limit.requests,
            remaining: limit.requests - used - 1,
            reset: reset_at(usage),
        }
    }

    pub(crate) fn early_requests_len(&self) -> usize {
        self.early.len()
    }

    pub(crate) fn early_requests(&self) -> Vec<EarlyRequest> {
        self.early.clone()
    }

    pub(crate) fn clear_early(&mut self) {
        self.early.clear();
    }

    /// Forgets an organization's usage, when its budget changes or it is seeded again.
    pub(crate) fn forget_org(&mut self, org: &str) {
        let org = org.to_lowercase();
        self.usage.retain(|(o, _), _| *o != org);
    }

    pub(crate) fn clear(&mut self) {
        self.usage.clear();
        self.early.clear();
    }
}

/// Whole seconds, rounded up.
fn secs_ceil(duration: Duration) -> i64 {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    i64::try_from(secs).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(now: Instant) -> Arrival<'static> {
        Arrival {
            org: "org",
            identity: "me@example.com",
            method: "GET",
            path: "/org/_apis/projects",
            now,
            now_utc: Utc::now(),
        }
    }

    #[test]
    fn requests_within_the_budget_are_allowed_and_count_down() {
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        let limit = RateLimit::new(2, 10);
        assert!(matches!(
            limiter.check(limit, &arrival(now)),
            Decision::Allowed { remaining: 1, .. }
        ));
        assert!(matches!(
            limiter.check(limit, &arrival(now)),
            Decision::Allowed { remaining: 0, .. }
        ));
        assert!(matches!(
            limiter.check(limit, &arrival(now)),
            Decision::Limited {
                retry_after_secs: 10,
                ..
            }
        ));
    }

    #[test]
    fn a_request_before_the_retry_after_is_recorded_and_one_after_it_is_not() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        let limit = RateLimit::new(1, 2);
        limiter.check(limit, &arrival(start));
        let Decision::Limited {
            retry_after_secs, ..
        } = limiter.check(limit, &arrival(start))
        else {
            panic!("the second request is over the budget");
        };
        assert_eq!(retry_after_secs, 2);
        limiter.check(limit, &arrival(start + Duration::from_millis(500)));
        assert_eq!(limiter.early_requests().len(), 1);
        let later = limiter.check(limit, &arrival(start + Duration::from_secs(2)));
        assert!(matches!(later, Decision::Allowed { .. }));
        assert_eq!(limiter.early_requests().len(), 1);
    }

    #[test]
    fn a_zero_budget_or_window_is_refused() {
        assert!(RateLimit::new(0, 1).validate().is_err());
        assert!(RateLimit::new(1, 0).validate().is_err());
        assert!(RateLimit::new(200, 300).validate().is_ok());
    }
}
