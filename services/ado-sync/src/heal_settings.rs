//! The self-healing knobs of ado-sync, each in its own settings section so they stay out
//! of the shared `Settings` (read through the same layers: defaults, `NAVSYNC_CONFIG`
//! file, `NAVSYNC_*` environment):
//!
//! - `NAVSYNC_RECONCILER__*`: the periodic check of every tracked work item;
//! - `NAVSYNC_HOOK_WATCH__*`: flagging an integration whose webhooks stopped arriving.

use navsync_platform::settings::{self, ConfigError};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReconcilerSettings {
    /// Off switch (on by default).
    pub enabled: bool,
    /// Seconds between two passes over every tracked work item.
    pub interval_secs: u64,
    /// Work items read per `workitemsbatch` call (ADO allows 200).
    pub batch_size: usize,
}

impl Default for ReconcilerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_secs: 300,
            batch_size: navsync_ado_client::MAX_BATCH,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HookWatchSettings {
    /// Off switch (on by default).
    pub enabled: bool,
    /// Seconds between two checks.
    pub interval_secs: u64,
    /// An integration whose work items we changed in this window while not one webhook
    /// arrived for it is flagged `needs_attention` (`no_webhooks`).
    pub silence_secs: u64,
}

impl Default for HookWatchSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_secs: 300,
            silence_secs: 6 * 3600,
        }
    }
}

/// Everything self-healing reads at start.
#[derive(Debug, Clone, Default)]
pub struct HealSettings {
    pub reconciler: ReconcilerSettings,
    pub hook_watch: HookWatchSettings,
}

impl HealSettings {
    /// From the process's environment (and `NAVSYNC_CONFIG`), checked.
    pub fn load() -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(&vars)
    }

    /// From an explicit environment, checked.
    pub fn load_from(vars: &[(String, String)]) -> Result<Self, ConfigError> {
        let heal = Self {
            reconciler: settings::load_section_from("reconciler", vars)?,
            hook_watch: settings::load_section_from("hook_watch", vars)?,
        };
        for (name, value) in [
            (
                "NAVSYNC_RECONCILER__INTERVAL_SECS",
                heal.reconciler.interval_secs,
            ),
            (
                "NAVSYNC_RECONCILER__BATCH_SIZE",
                heal.reconciler.batch_size as u64,
            ),
            (
                "NAVSYNC_HOOK_WATCH__INTERVAL_SECS",
                heal.hook_watch.interval_secs,
            ),
            (
                "NAVSYNC_HOOK_WATCH__SILENCE_SECS",
                heal.hook_watch.silence_secs,
            ),
        ] {
            if value == 0 {
                return Err(ConfigError(format!("{name}: must be at least 1")));
            }
        }
        if heal.reconciler.batch_size > navsync_ado_client::MAX_BATCH {
            return Err(ConfigError(format!(
                "NAVSYNC_RECONCILER__BATCH_SIZE: at most {}",
                navsync_ado_client::MAX_BATCH
            )));
        }
        Ok(heal)
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
    fn defaults_check_every_five_minutes_in_batches_of_200() {
        let heal = HealSettings::load_from(&[]).expect("defaults");
        assert_eq!(heal.reconciler.interval_secs, 300);
        assert_eq!(heal.reconciler.batch_size, 200);
        assert!(heal.reconciler.enabled);
    }

    #[test]
    fn the_interval_comes_from_the_environment() {
        let heal = HealSettings::load_from(&vars(&[("NAVSYNC_RECONCILER__INTERVAL_SECS", "2")]))
            .expect("valid");
        assert_eq!(heal.reconciler.interval_secs, 2);
    }

    #[test]
    fn a_zero_interval_or_an_oversized_batch_is_refused_by_name() {
        let err = HealSettings::load_from(&vars(&[("NAVSYNC_RECONCILER__INTERVAL_SECS", "0")]))
            .expect_err("zero");
        assert!(
            err.0.contains("NAVSYNC_RECONCILER__INTERVAL_SECS"),
            "{err:?}"
        );
        let err = HealSettings::load_from(&vars(&[("NAVSYNC_RECONCILER__BATCH_SIZE", "201")]))
            .expect_err("too big");
        assert!(err.0.contains("NAVSYNC_RECONCILER__BATCH_SIZE"), "{err:?}");
    }
}
