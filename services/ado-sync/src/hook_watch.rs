//! The no-webhooks check (issue #11). ado-sync is where both facts meet: it knows when it
//! last wrote to a company's work items (each write fires a `workitem.updated` webhook,
//! our own echoes included) and when a webhook last arrived for the company. When a
//! write stays unanswered for `NAVSYNC_HOOK_WATCH__SILENCE_SECS` (default 6 h), one
//! replica (an advisory lock) asks integrations to flag the integration `needs_attention`
//! with reason `no_webhooks`; the next webhook clears it through integrations'
//! `attention-cleared` endpoint.
//!
//! `no_webhooks` is a warning for the admin, not a stop: ado-sync keeps syncing an
//! integration flagged for it (see `Integration::active`), and the reconciler keeps
//! bringing ADO's edits back meanwhile.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::AsyncPgConnection;
use navsync_platform::singleton;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::heal_settings::HookWatchSettings;
use crate::store::hook_activity;
use crate::worker::Worker;

pub const NO_WEBHOOKS: &str = "no_webhooks";

/// Records a write to ADO; a failure is logged, never fails the sync.
pub async fn wrote(conn: &mut AsyncPgConnection, company_id: Uuid, integration_id: Uuid) {
    if let Err(err) = hook_activity::wrote(conn, company_id, integration_id).await {
        tracing::warn!(error = %err, "cannot record a write for the no-webhooks check");
    }
}

/// Records a webhook; clears `no_webhooks` when it was flagged.
pub async fn heard(worker: &Worker, company_id: Uuid, integration_id: Uuid) {
    let Ok(mut conn) = worker.pool.get().await else {
        return;
    };
    match hook_activity::heard(&mut conn, company_id, integration_id).await {
        Ok(true) => {
            if let Err(err) = worker
                .directory
                .attention_cleared(integration_id, NO_WEBHOOKS)
                .await
            {
                tracing::warn!(error = %err, %integration_id, "cannot clear no_webhooks");
            }
        }
        Ok(false) => {}
        Err(err) => {
            tracing::warn!(error = %err, "cannot record a webhook for the no-webhooks check")
        }
    }
}

pub async fn run(worker: Arc<Worker>, settings: HookWatchSettings, shutdown: CancellationToken) {
    if !settings.enabled {
        return;
    }
    let interval = Duration::from_secs(settings.interval_secs);
    let silence =
        chrono::TimeDelta::seconds(i64::try_from(settings.silence_secs).unwrap_or(i64::MAX / 2));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(interval) => {}
        }
        match singleton::try_lock(&worker.pool, "ado-sync-hook-watch").await {
            Ok(Some(lock)) => {
                if let Err(err) = pass(&worker, silence).await {
                    tracing::warn!(error = %err, "no-webhooks check failed");
                }
                lock.release().await;
            }
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "no-webhooks check cannot take its lock"),
        }
    }
}

async fn pass(worker: &Worker, silence: chrono::TimeDelta) -> Result<(), String> {
    let mut conn = worker.pool.get().await.map_err(|e| e.to_string())?;
    let before = navsync_platform::db::now() - silence;
    let silent = hook_activity::silent_since(&mut conn, before)
        .await
        .map_err(|e| e.to_string())?;
    for company_id in silent {
        let Ok(Some(integration)) = worker.directory.for_company(company_id).await else {
            continue;
        };
        if !integration.enabled || integration.status != "active" {
            continue; // disabled, or already flagged for something an admin must fix
        }
        worker
            .directory
            .needs_attention(&integration, NO_WEBHOOKS)
            .await
            .map_err(|e| e.to_string())?;
        hook_activity::mark_flagged(&mut conn, company_id)
            .await
            .map_err(|e| e.to_string())?;
        metrics::counter!("no_webhooks_flagged_total").increment(1);
        tracing::warn!(integration_id = %integration.id, "writes to ADO were never followed by a webhook: flagged no_webhooks");
    }
    Ok(())
}
