//! Sends parked work back to the queue once its integration works again (a valid PAT was
//! saved, a project chosen). Checked when `integration.changed.v1` says an integration is
//! active again (see `changes`), and every `NAVSYNC_SYNC__RESUME_INTERVAL_MS` in case that
//! event was missed; always with a fresh read of the integration.

use std::sync::Arc;
use std::time::Duration;

use navsync_contracts::queues;
use navsync_messaging::OutgoingMessage;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::store::parked;
use crate::worker::Worker;

pub async fn run(
    worker: Arc<Worker>,
    wake: Arc<Notify>,
    interval: Duration,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(interval) => {}
        }
        if let Err(err) = pass(&worker).await {
            tracing::warn!(error = %err, "resuming parked work failed; trying again later");
        }
    }
}

/// One check of every integration with parked work; returns how many messages went back.
pub async fn pass(worker: &Worker) -> Result<usize, String> {
    let mut conn = worker.pool.get().await.map_err(|e| e.to_string())?;
    if let Ok(n) = parked::count(&mut conn).await {
        metrics::gauge!("sync_parked").set(n as f64);
    }
    let mut resumed = 0;
    for integration_id in parked::integrations_waiting(&mut conn)
        .await
        .map_err(|e| e.to_string())?
    {
        let integration = worker
            .directory
            .by_id(integration_id)
            .await
            .map_err(|e| e.to_string())?;
        let ready = integration
            .as_ref()
            .is_some_and(|i| i.active() && i.project.is_some());
        if !ready {
            continue;
        }
        if let Some(i) = &integration {
            worker.directory.forget(i.company_id);
        }
        loop {
            let rows = parked::list_for(&mut conn, integration_id, 200)
                .await
                .map_err(|e| e.to_string())?;
            if rows.is_empty() {
                break;
            }
            // Straight back to ado-sync's own queue (the default exchange routes by queue
            // name), not to the topic exchange other services also listen on.
            let messages: Vec<OutgoingMessage> = rows
                .iter()
                .map(|r| {
                    OutgoingMessage::cloud_event(
                        "",
                        queues::ADO_SYNC_ACTION_ITEMS.name,
                        r.message_id.clone().unwrap_or_default(),
                        r.body.clone(),
                        None,
                    )
                })
                .collect();
            let results = worker.publisher.publish_all(&messages).await;
            let sent: Vec<i64> = rows
                .iter()
                .zip(&results)
                .take_while(|(_, r)| r.is_ok())
                .map(|(row, _)| row.id)
                .collect();
            parked::delete(&mut conn, &sent)
                .await
                .map_err(|e| e.to_string())?;
            resumed += sent.len();
            if sent.len() < rows.len() {
                return Err("the broker refused some parked messages".into());
            }
        }
        tracing::info!(%integration_id, resumed, "parked work resumed");
    }
    Ok(resumed)
}
