//! The ingress's own knobs (`NAVSYNC_INGRESS__*`), read through the same layers as the
//! shared settings (defaults, `NAVSYNC_CONFIG` file, environment): they matter to no other
//! service, so they stay out of the shared `Settings`.

use navsync_platform::settings::{self, ConfigError};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngressSettings {
    /// Sustained webhooks per second accepted for one integration (token bucket refill).
    pub rate_per_sec: u32,
    /// Webhooks one integration may send at once above the sustained rate (bucket size).
    pub burst: u32,
    /// How long an integration's secret and state are trusted before they are read again
    /// (an `integration.changed.v1` event drops them at once).
    pub secret_cache_ttl_secs: u64,
    /// How long "no such integration" is remembered, so a flood of made-up ids cannot
    /// turn into a flood of calls to `integrations`.
    pub unknown_cache_ttl_secs: u64,
    /// At most this many integrations (known or not) are remembered.
    pub cache_capacity: u64,
    /// Timeout of one call to integrations' internal API.
    pub integrations_timeout_ms: u64,
    /// How long a publish may wait for the broker's confirm before we answer 503.
    pub publish_timeout_ms: u64,
    /// `Retry-After` of a 503 for our own unavailability (broker or integrations).
    pub retry_after_secs: u64,
}

impl Default for IngressSettings {
    fn default() -> Self {
        Self {
            // A busy organization's people and automations reach 100 edits/s; a flood from
            // one integration (a loop, a replayed backlog) is still cut well before it
            // starves the others.
            rate_per_sec: 200,
            burst: 1_000,
            secret_cache_ttl_secs: 30,
            unknown_cache_ttl_secs: 10,
            cache_capacity: 100_000,
            integrations_timeout_ms: 3_000,
            publish_timeout_ms: 5_000,
            retry_after_secs: 5,
        }
    }
}

impl IngressSettings {
    /// From the process's environment (and `NAVSYNC_CONFIG`), checked.
    pub fn load() -> Result<Self, ConfigError> {
        settings::load_section::<Self>("ingress")?.checked()
    }

    /// From an explicit environment, checked.
    pub fn load_from(vars: &[(String, String)]) -> Result<Self, ConfigError> {
        settings::load_section_from::<Self>("ingress", vars)?.checked()
    }

    fn checked(self) -> Result<Self, ConfigError> {
        for (name, value) in [
            (
                "NAVSYNC_INGRESS__RATE_PER_SEC",
                u64::from(self.rate_per_sec),
            ),
            ("NAVSYNC_INGRESS__BURST", u64::from(self.burst)),
            ("NAVSYNC_INGRESS__CACHE_CAPACITY", self.cache_capacity),
            (
                "NAVSYNC_INGRESS__INTEGRATIONS_TIMEOUT_MS",
                self.integrations_timeout_ms,
            ),
            (
                "NAVSYNC_INGRESS__PUBLISH_TIMEOUT_MS",
                self.publish_timeout_ms,
            ),
            ("NAVSYNC_INGRESS__RETRY_AFTER_SECS", self.retry_after_secs),
        ] {
            if value == 0 {
                return Err(ConfigError(format!("{name}: must be at least 1")));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_are_two_hundred_a_second_with_a_burst_of_a_thousand() {
        let s = IngressSettings::load_from(&[]).expect("defaults");
        assert_eq!((s.rate_per_sec, s.burst), (200, 1_000));
        assert_eq!(s.secret_cache_ttl_secs, 30);
    }

    #[test]
    fn the_environment_overrides_the_defaults() {
        let s = IngressSettings::load_from(&vars(&[
            ("NAVSYNC_INGRESS__RATE_PER_SEC", "5"),
            ("NAVSYNC_INGRESS__BURST", "9"),
        ]))
        .expect("loads");
        assert_eq!((s.rate_per_sec, s.burst), (5, 9));
    }

    #[test]
    fn a_zero_rate_or_an_unknown_key_is_refused_by_name() {
        let err = IngressSettings::load_from(&vars(&[("NAVSYNC_INGRESS__RATE_PER_SEC", "0")]))
            .expect_err("zero");
        assert!(
            err.to_string().contains("NAVSYNC_INGRESS__RATE_PER_SEC"),
            "{err}"
        );
        let err = IngressSettings::load_from(&vars(&[("NAVSYNC_INGRESS__RATE", "5")]))
            .expect_err("unknown");
        assert!(err.to_string().contains("rate"), "{err}");
    }
}
