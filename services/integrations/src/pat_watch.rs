//! The periodic PAT expiry check (`NAVSYNC_PAT_WATCH__INTERVAL_SECS`, default 3600), run by
//! one replica at a time (an advisory lock): for every integration whose admin gave the
//! PAT's expiry it sets `integration_pat_expires_in_days{integration_id}` (as every other
//! replica does at the same interval; `+Inf` once the date is gone) and, once per
//! threshold crossed (30, 7, 1 days before, and expired), records `pat_expiring` in the
//! audit log and announces `integration.changed.v1` (`change: pat_expiring`) through the
//! outbox, in one transaction.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use navsync_contracts::IntegrationChange;
use navsync_platform::db::Pool;
use navsync_platform::settings::{self, ConfigError};
use navsync_platform::{ApiError, singleton};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::events;
use crate::pat_expiry;
use crate::schema::integrations;
use crate::store::audit::{self, Action};
use crate::store::integrations::IntegrationRow;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PatWatchSettings {
    pub enabled: bool,
    pub interval_secs: u64,
}

impl Default for PatWatchSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            interval_secs: 3600,
        }
    }
}

impl PatWatchSettings {
    pub fn load_from(vars: &[(String, String)]) -> Result<Self, ConfigError> {
        let s: Self = settings::load_section_from("pat_watch", vars)?;
        if s.interval_secs == 0 {
            return Err(ConfigError(
                "NAVSYNC_PAT_WATCH__INTERVAL_SECS: must be at least 1".into(),
            ));
        }
        Ok(s)
    }

    pub fn load() -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(&vars)
    }
}

pub async fn run(
    pool: Pool,
    wake_outbox: Arc<Notify>,
    settings: PatWatchSettings,
    shutdown: CancellationToken,
) {
    if !settings.enabled {
        return;
    }
    let interval = Duration::from_secs(settings.interval_secs);
    loop {
        match singleton::try_lock(&pool, "integrations-pat-watch").await {
            Ok(Some(lock)) => {
                match pass(&pool, navsync_platform::db::now()).await {
                    Ok(n) if n > 0 => wake_outbox.notify_one(),
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "PAT expiry check failed"),
                }
                lock.release().await;
            }
            Ok(None) => {
                if let Err(err) = show(&pool, navsync_platform::db::now()).await {
                    tracing::warn!(error = %err, "cannot read the PATs' expiry dates");
                }
            }
            Err(err) => tracing::warn!(error = %err, "PAT expiry check cannot take its lock"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// The integrations this process shows `integration_pat_expires_in_days` for.
static SHOWN: Mutex<BTreeSet<Uuid>> = Mutex::new(BTreeSet::new());

/// Sets `integration_pat_expires_in_days` of every integration in `watched`, and `+Inf`
/// (no known expiry: no alert fires on it) for one shown before whose date was removed or
/// which was deleted — the metrics facade cannot drop a series, and its last number of
/// days would otherwise stay, counting down to an alert for a PAT nobody watches.
fn show_days_left(watched: &[IntegrationRow], now: DateTime<Utc>) {
    let gauge = |id: Uuid| metrics::gauge!("integration_pat_expires_in_days", "integration_id" => id.to_string());
    let mut now_shown = BTreeSet::new();
    for row in watched {
        if let Some(expires_at) = row.pat_expires_at {
            gauge(row.id).set(pat_expiry::days_left(expires_at, now) as f64);
            now_shown.insert(row.id);
        }
    }
    let mut shown = SHOWN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for gone in shown.difference(&now_shown) {
        gauge(*gone).set(f64::INFINITY);
    }
    *shown = now_shown;
}

/// The integrations whose admin gave the PAT's expiry date.
async fn watched(conn: &mut AsyncPgConnection) -> QueryResult<Vec<IntegrationRow>> {
    integrations::table
        .filter(integrations::pat_expires_at.is_not_null())
        .select(IntegrationRow::as_select())
        .load(conn)
        .await
}

/// Every replica shows the days left, not only the one whose check holds the lock: a
/// replica that held it once would otherwise keep showing the numbers of that time.
pub async fn show(pool: &Pool, now: DateTime<Utc>) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    let watched = watched(&mut conn).await?;
    show_days_left(&watched, now);
    Ok(())
}

/// One check at `now`; returns how many warnings it announced.
pub async fn pass(pool: &Pool, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    let watched = watched(&mut conn).await?;
    show_days_left(&watched, now);
    let mut announced = 0;
    for row in watched {
        let Some(expires_at) = row.pat_expires_at else {
            continue;
        };
        let Some(threshold) = pat_expiry::threshold(expires_at, now) else {
            continue;
        };
        if row.pat_expiry_warned_days.is_some_and(|w| w <= threshold) {
            continue; // this threshold (or a later one) was announced already
        }
        let id = row.id;
        let days_left = pat_expiry::days_left(expires_at, now);
        let done = conn
            .transaction(async |conn| {
                // Only if nobody announced it meanwhile (or changed the date).
                let updated: Vec<IntegrationRow> = diesel::update(
                    integrations::table
                        .find(id)
                        .filter(integrations::pat_expires_at.eq(expires_at))
                        .filter(
                            integrations::pat_expiry_warned_days
                                .is_null()
                                .or(integrations::pat_expiry_warned_days.gt(threshold)),
                        ),
                )
                .set(integrations::pat_expiry_warned_days.eq(threshold))
                .returning(IntegrationRow::as_returning())
                .get_results(conn)
                .await?;
                let Some(row) = updated.into_iter().next() else {
                    return Ok::<_, ApiError>(false);
                };
                audit::insert(
                    conn,
                    row.id,
                    row.company_id,
                    "service:integrations",
                    Action::PatExpiring,
                    json!({"threshold_days": threshold, "days_left": days_left,
                           "pat_expires_at": expires_at}),
                )
                .await?;
                events::record(conn, &row, IntegrationChange::PatExpiring).await?;
                Ok(true)
            })
            .await?;
        if done {
            announced += 1;
            tracing::warn!(integration_id = %id, threshold, days_left, "the PAT expires soon");
        }
    }
    Ok(announced)
}
