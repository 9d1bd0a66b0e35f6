//! The per-integration rate limit: a token bucket per integration (GCRA, from `governor`,
//! the well-kept limiter of the Rust ecosystem, rather than a hand-rolled bucket). It is
//! checked only after authentication, so a stranger without the secret cannot spend a
//! real integration's budget, and its keys are real integrations only.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<Uuid>,
    clock: DefaultClock,
}

impl Limiter {
    /// `rate_per_sec` sustained, `burst` at once; zeros are taken as one (settings refuse
    /// them before this).
    pub fn new(rate_per_sec: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(rate_per_sec).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let clock = DefaultClock::default();
        Self {
            limiter: RateLimiter::dashmap_with_clock(
                Quota::per_second(rate).allow_burst(burst),
                clock.clone(),
            ),
            clock,
        }
    }

    /// Takes one token of `integration`'s bucket; `Err` with how long until the next one
    /// when it is empty.
    pub fn check(&self, integration: Uuid) -> Result<(), Duration> {
        self.limiter
            .check_key(&integration)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Drops the buckets that are full again (integrations quiet for a while), so deleted
    /// integrations do not stay in memory for ever.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_bucket_says_how_long_to_wait() {
        let limiter = Limiter::new(1, 3);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        for _ in 0..3 {
            assert!(limiter.check(a).is_ok());
        }
        let wait = limiter.check(a).expect_err("empty");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(
            limiter.check(b).is_ok(),
            "another integration has its own bucket"
        );
        limiter.forget_idle();
    }
}
