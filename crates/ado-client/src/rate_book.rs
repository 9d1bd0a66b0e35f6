//! What ADO says of an organization's rate limit budget in its `X-RateLimit-Remaining` and
//! `X-RateLimit-Reset` headers. Microsoft asks integrations to slow down when `Remaining`
//! runs low; callers read the budget before sending, so they can stay under the limit
//! instead of learning of it from a 429 (by which time their other in-flight requests
//! would arrive "early").

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// Requests left, and when the budget is whole again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub remaining: u32,
    pub reset_at: Instant,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct RateBook {
    orgs: Arc<Mutex<HashMap<String, Budget>>>,
}

fn header<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

impl RateBook {
    pub(crate) fn observe(&self, org: &str, headers: &HeaderMap) {
        let Some(remaining) = header::<u32>(headers, "x-ratelimit-remaining") else {
            return;
        };
        let now_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let reset_in = header::<u64>(headers, "x-ratelimit-reset")
            .map(|reset| reset.saturating_sub(now_epoch))
            .unwrap_or(1)
            .min(300);
        let observed = Budget {
            remaining,
            reset_at: Instant::now() + Duration::from_secs(reset_in),
        };
        if let Ok(mut orgs) = self.orgs.lock() {
            let entry = orgs.entry(org.to_ascii_lowercase()).or_insert(observed);
            // Answers arrive out of order: within one budget period the lowest count is
            // the truest.
            if entry.reset_at <= Instant::now() {
                *entry = observed;
            } else {
                entry.remaining = entry.remaining.min(remaining);
                entry.reset_at = entry.reset_at.max(observed.reset_at);
            }
        }
    }

    pub(crate) fn budget(&self, org: &str) -> Option<Budget> {
        let orgs = self.orgs.lock().ok()?;
        orgs.get(&org.to_ascii_lowercase())
            .copied()
            .filter(|b| b.reset_at > Instant::now())
    }
}
