//! Latency on demand: every ADO request waits a fixed time plus a random jitter before it
//! is answered, so that clients' timeouts, concurrency and progress reporting can be
//! exercised against something slower than a local socket.

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// How long each ADO request waits: `fixed_ms` plus a uniform `0..=jitter_ms`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Latency {
    pub fixed_ms: u64,
    pub jitter_ms: u64,
}

/// The most a request may be held, so a typo cannot hang a test run for hours.
const MAX_MS: u64 = 600_000;

impl Latency {
    pub fn fixed(ms: u64) -> Self {
        Self {
            fixed_ms: ms,
            jitter_ms: 0,
        }
    }

    pub fn with_jitter(fixed_ms: u64, jitter_ms: u64) -> Self {
        Self {
            fixed_ms,
            jitter_ms,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.fixed_ms.saturating_add(self.jitter_ms) > MAX_MS {
            return Err(format!("fixed_ms + jitter_ms must be at most {MAX_MS}"));
        }
        Ok(())
    }

    /// One request's wait.
    pub(crate) fn sample(&self) -> Duration {
        Duration::from_millis(self.fixed_ms + jitter(self.jitter_ms))
    }
}

/// A uniform random `0..=max` milliseconds.
pub(crate) fn jitter(max: u64) -> u64 {
    if max == 0 {
        0
    } else {
        rand::thread_rng().gen_range(0..=max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_lies_between_the_fixed_part_and_the_fixed_part_plus_jitter() {
        let latency = Latency::with_jitter(10, 5);
        for _ in 0..100 {
            let ms = latency.sample().as_millis();
            assert!((10..=15).contains(&ms), "{ms}");
        }
        assert_eq!(Latency::fixed(7).sample(), Duration::from_millis(7));
    }

    #[test]
    fn more_than_ten_minutes_is_refused() {
        assert!(Latency::with_jitter(600_000, 1).validate().is_err());
        assert!(Latency::fixed(600_000).validate().is_ok());
    }
}
