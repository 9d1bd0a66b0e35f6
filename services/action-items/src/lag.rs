//! `sync_lag_seconds{direction}`: how long a change took to reach the other side.
//!
//! - `to_ado`: from the Navigator change (the `updated_at` of the version ado-sync reports
//!   synced) to ADO's acceptance of it (`synced_at` of `action_item.synced.v1`). Measured
//!   only when the reported version is the item's current one, whose time is known.
//! - `from_ado`: from the edit in ADO (`changed_at` of `action_item.changed_in_ado.v1`) to
//!   the action item applying it.
//!
//! Recorded here because this is where both ends meet; ado-sync never sees the second.

use chrono::{DateTime, Utc};

pub fn record(direction: &'static str, from: DateTime<Utc>, to: DateTime<Utc>) {
    let seconds = (to - from).num_milliseconds().max(0) as f64 / 1000.0;
    metrics::histogram!("sync_lag_seconds", "direction" => direction).record(seconds);
}
