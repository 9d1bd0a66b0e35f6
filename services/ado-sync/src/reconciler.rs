//! The reconciler: ADO delays and drops service hook deliveries, so every
//! `NAVSYNC_RECONCILER__INTERVAL_SECS` one replica (an advisory lock) reads the current
//! revision of every linked work item, 200 per `workitemsbatch` call, and repairs what the
//! webhooks missed:
//!
//! - a work item whose title, description or state differ from what ado-sync knows, at a
//!   revision newer than the one it knows and not written by ado-sync, goes through
//!   inbound's own path as a minimal-details `updated` event (with the work item already
//!   read), so the same revision bookkeeping decides what changed and a late webhook for
//!   the same revision is then superseded;
//! - a work item absent from the batch answer and answering 404 to a direct read (the
//!   recycle bin) goes through inbound's path as a `deleted` event.
//!
//! Every ADO call of the reconciler goes through the organization's gate with
//! `priority = false`, one call at a time: while a live edit waits for a slot, the
//! reconciler does not take one, so a back-fill never delays live edits.
//!
//! Metrics: `reconciler_runs_total{outcome}`, `reconciler_items_checked_total`,
//! `reconciler_drift_total{kind = changed | deleted}`.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::AsyncPgConnection;
use navsync_ado_client::{AdoError, Organization, Pat, WorkItem};
use navsync_contracts::{AdoWorkItemEventV1, ResourceDetails};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::directory::Integration;
use crate::heal_settings::ReconcilerSettings;
use crate::inbound::{self, Kind};
use crate::mapping::html_to_text;
use crate::store::checkout::Checkout;
use crate::store::links::{self, Claimed, LINKED, LinkRow};
use crate::store::{revisions, tracked};
use crate::worker::Worker;
use navsync_platform::singleton;

const TITLE: &str = "System.Title";
const DESCRIPTION: &str = "System.Description";
const STATE: &str = "System.State";
const CHANGED_BY: &str = "System.ChangedBy";
const CHANGED_DATE: &str = "System.ChangedDate";
const FIELDS: [&str; 5] = [TITLE, DESCRIPTION, STATE, CHANGED_BY, CHANGED_DATE];

/// What one pass found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub checked: u64,
    pub changed: u64,
    pub deleted: u64,
}

pub async fn run(worker: Arc<Worker>, settings: ReconcilerSettings, shutdown: CancellationToken) {
    if !settings.enabled {
        return;
    }
    let interval = Duration::from_secs(settings.interval_secs.max(1));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(interval) => {}
        }
        let outcome = match singleton::try_lock(&worker.pool, "ado-sync-reconciler").await {
            Ok(Some(lock)) => {
                let result = pass(&worker, settings.batch_size, &shutdown).await;
                lock.release().await;
                match result {
                    Ok(found) => {
                        if found.changed + found.deleted > 0 {
                            tracing::info!(
                                checked = found.checked,
                                changed = found.changed,
                                deleted = found.deleted,
                                "reconciler repaired drift"
                            );
                        }
                        "ok"
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "reconciler pass failed; next pass tries again");
                        "failed"
                    }
                }
            }
            Ok(None) => "skipped",
            Err(err) => {
                tracing::warn!(error = %err, "reconciler cannot take its lock");
                "failed"
            }
        };
        metrics::counter!("reconciler_runs_total", "outcome" => outcome).increment(1);
    }
}

/// One pass over every linked work item. An integration that cannot be read or is not
/// active is skipped (its work is parked anyway); an ADO failure ends that integration's
/// pass, not the others'.
pub async fn pass(
    worker: &Worker,
    batch_size: usize,
    shutdown: &CancellationToken,
) -> Result<Pass, String> {
    let mut conn = worker
        .pool
        .get()
        .await
        .map_err(|e| format!("database: {e}"))?;
    let mut found = Pass::default();
    let companies = tracked::companies_with_links(&mut conn)
        .await
        .map_err(|e| format!("database: {e}"))?;
    for company_id in companies {
        if shutdown.is_cancelled() {
            break;
        }
        let integration = match worker.directory.for_company(company_id).await {
            Ok(Some(i)) if i.active() => i,
            Ok(_) => continue,
            Err(err) => {
                tracing::warn!(%company_id, error = %err, "reconciler skips a company");
                continue;
            }
        };
        let (Ok(org), Ok(pat)) = (integration.org(), integration.pat()) else {
            continue;
        };
        if let Err(err) = integration_pass(
            worker,
            &mut conn,
            &integration,
            &org,
            &pat,
            batch_size,
            &mut found,
            shutdown,
        )
        .await
        {
            tracing::warn!(integration_id = %integration.id, error = %err, "reconciler skips the rest of an integration");
        }
    }
    Ok(found)
}

#[allow(clippy::too_many_arguments)]
async fn integration_pass(
    worker: &Worker,
    conn: &mut AsyncPgConnection,
    integration: &Integration,
    org: &Organization,
    pat: &Pat,
    batch_size: usize,
    found: &mut Pass,
    shutdown: &CancellationToken,
) -> Result<(), String> {
    let org_key = integration.org_key();
    let mut after = 0;
    loop {
        if shutdown.is_cancelled() {
            return Ok(());
        }
        let page = tracked::page(
            conn,
            integration.company_id,
            &org_key,
            after,
            batch_size.max(1) as i64,
        )
        .await
        .map_err(|e| format!("database: {e}"))?;
        let Some(last) = page.last().and_then(|l| l.work_item_id) else {
            return Ok(());
        };
        after = last;
        let ids: Vec<i64> = page.iter().filter_map(|l| l.work_item_id).collect();
        let read = worker
            .gates
            .call(
                org.as_str(),
                false,
                || worker.ado.rate_budget(org),
                || worker.ado.get_work_items_batch(org, pat, &ids, &FIELDS),
            )
            .await
            .map_err(|e| format!("ADO: {e}"))?;
        found.checked += ids.len() as u64;
        metrics::counter!("reconciler_items_checked_total").increment(ids.len() as u64);
        for link in &page {
            let Some(id) = link.work_item_id else {
                continue;
            };
            match read.iter().find(|wi| wi.id == id) {
                Some(wi) => {
                    if drifted(link, wi)
                        && !revisions::is_ours(conn, &org_key, id, wi.rev)
                            .await
                            .map_err(|e| format!("database: {e}"))?
                        && repair(worker, conn, integration, id, Some(wi)).await?
                    {
                        found.changed += 1;
                        metrics::counter!("reconciler_drift_total", "kind" => "changed")
                            .increment(1);
                    }
                }
                None => {
                    // Absent from the batch: confirm with a direct read before deleting
                    // anything, since an absence alone could also be a permission.
                    let direct = worker
                        .gates
                        .call(
                            org.as_str(),
                            false,
                            || worker.ado.rate_budget(org),
                            || worker.ado.get_work_item(org, pat, id),
                        )
                        .await;
                    match direct {
                        Err(AdoError::NotFound { .. }) => {
                            if repair(worker, conn, integration, id, None).await? {
                                found.deleted += 1;
                                metrics::counter!("reconciler_drift_total", "kind" => "deleted")
                                    .increment(1);
                            }
                        }
                        Ok(wi) => {
                            if drifted(link, &wi)
                                && repair(worker, conn, integration, id, Some(&wi)).await?
                            {
                                found.changed += 1;
                                metrics::counter!("reconciler_drift_total", "kind" => "changed")
                                    .increment(1);
                            }
                        }
                        Err(err) => return Err(format!("ADO: {err}")),
                    }
                }
            }
        }
        if page.len() < batch_size.max(1) {
            return Ok(());
        }
    }
}

/// Whether ADO holds a title, description or state other than the one ado-sync knows, at
/// a revision newer than any it knows of a field (the same comparison inbound makes for a
/// minimal-details event).
pub(crate) fn drifted(link: &LinkRow, wi: &WorkItem) -> bool {
    let known_rev = [link.title_rev, link.description_rev, link.state_rev]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
    if wi.rev <= known_rev {
        return false;
    }
    let title = wi.field_str(TITLE);
    let description = wi
        .field_str(DESCRIPTION)
        .map(html_to_text)
        .unwrap_or_default();
    let state = wi.field_str(STATE);
    (title.is_some() && title != link.known_title.as_deref())
        || description != link.known_description.clone().unwrap_or_default()
        || (state.is_some() && state != link.known_state.as_deref())
}

/// Takes the link's lease and applies the repair through inbound's path. `false` when
/// another worker holds the item (it is live; the next pass looks again) or the link
/// changed meanwhile.
async fn repair(
    worker: &Worker,
    conn: &mut AsyncPgConnection,
    integration: &Integration,
    work_item_id: i64,
    wi: Option<&WorkItem>,
) -> Result<bool, String> {
    let org_key = integration.org_key();
    let claimed = links::claim_by_work_item(conn, &org_key, work_item_id, worker.lease_until())
        .await
        .map_err(|e| format!("database: {e}"))?;
    let link = match claimed {
        Claimed::Ours(link) => *link,
        Claimed::Busy | Claimed::Unknown => return Ok(false),
    };
    let still = link.state == LINKED && wi.is_none_or(|wi| drifted(&link, wi));
    if !still {
        links::release(conn, link.action_item_id)
            .await
            .map_err(|e| format!("database: {e}"))?;
        return Ok(false);
    }
    let event = as_event(integration, &org_key, work_item_id, wi);
    let kind = if wi.is_some() {
        Kind::Updated
    } else {
        Kind::Deleted
    };
    let action_item_id = link.action_item_id;
    let applied = {
        let mut db = Checkout::borrowing(&worker.pool, conn);
        inbound::apply(worker, &mut db, link, &event, kind, wi).await
    };
    match applied {
        Ok(()) => Ok(true),
        Err(err) => {
            let _ = links::release(conn, action_item_id).await;
            Err(err)
        }
    }
}

/// The raw event a webhook would have carried, with minimal details. Its notification key
/// is the reconciler's own per work item and revision, so a repair is applied once.
pub(crate) fn as_event(
    integration: &Integration,
    org_key: &str,
    work_item_id: i64,
    wi: Option<&WorkItem>,
) -> AdoWorkItemEventV1 {
    let (subscription_id, notification_id) = match wi {
        Some(wi) => (
            format!("navsync-reconciler:{org_key}:{work_item_id}"),
            wi.rev,
        ),
        None => (
            format!("navsync-reconciler-deleted:{org_key}:{work_item_id}"),
            0,
        ),
    };
    AdoWorkItemEventV1 {
        integration_id: integration.id,
        company_id: integration.company_id,
        organization: org_key.to_owned(),
        work_item_id,
        rev: wi.map(|wi| wi.rev),
        subscription_id,
        notification_id,
        event_id: None,
        changed_fields: Default::default(),
        fields: None,
        revised_by: wi
            .and_then(|wi| wi.fields.get(CHANGED_BY))
            .and_then(identity),
        revised_at: wi
            .and_then(|wi| wi.field_str(CHANGED_DATE))
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.with_timezone(&chrono::Utc)),
        resource_details: ResourceDetails::Minimal,
    }
}

/// ADO's identity (an object in REST answers, a string in payloads) as `Name <unique>`.
fn identity(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => {
            let name = o.get("displayName").and_then(Value::as_str);
            let unique = o.get("uniqueName").and_then(Value::as_str);
            match (name, unique) {
                (Some(n), Some(u)) => Some(format!("{n} <{u}>")),
                (Some(n), None) => Some(n.to_owned()),
                (None, Some(u)) => Some(u.to_owned()),
                (None, None) => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn link() -> LinkRow {
        crate::store::links::tests::row()
    }

    fn wi(rev: i64, fields: Value) -> WorkItem {
        serde_json::from_value(json!({"id": 7, "rev": rev, "fields": fields})).expect("shape")
    }

    #[test]
    fn a_newer_revision_with_another_title_is_drift() {
        let w = wi(
            3,
            json!({"System.Title": "Renamed", "System.Description": "<p>Text</p>", "System.State": "New"}),
        );
        assert!(drifted(&link(), &w));
    }

    #[test]
    fn the_same_values_or_a_known_revision_are_not_drift() {
        let same = wi(
            3,
            json!({"System.Title": "Title", "System.Description": "Text", "System.State": "New"}),
        );
        assert!(!drifted(&link(), &same));
        let old = wi(
            1,
            json!({"System.Title": "Other", "System.Description": "Text", "System.State": "New"}),
        );
        assert!(!drifted(&link(), &old));
    }

    #[test]
    fn identities_read_as_payloads_write_them() {
        assert_eq!(
            identity(&json!({"displayName": "Dana", "uniqueName": "dana@example.com"})),
            Some("Dana <dana@example.com>".into())
        );
        assert_eq!(identity(&json!("Dana <d@x>")), Some("Dana <d@x>".into()));
        assert_eq!(identity(&json!(3)), None);
    }
}
