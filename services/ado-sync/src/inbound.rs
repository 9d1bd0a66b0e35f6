//! From ADO back to Navigator (SPEC §9): the raw `ado.work_item.*` events of the webhook
//! ingress become `action_item.changed_in_ado.v1` / `deleted_in_ado.v1` — only for work
//! items navsync created, never for echoes of its own writes, and field by field only when
//! no newer revision of that field is known (a late delivery never clobbers a newer edit;
//! a concurrent edit of another field survives).

use std::collections::HashMap;
use std::sync::Arc;

use navsync_ado_client::{AdoError, WorkItem, WorkItemState};
use navsync_contracts::{
    AdoChanges, AdoWorkItemEventV1, Event, FieldValue, ResourceDetails, decode,
};
use navsync_messaging::{IncomingMessage, Outcome};
use serde_json::Value;

use crate::mapping::{html_to_text, status_for};
use crate::outbound::{LEASE_PATIENCE, LEASE_POLL};
use crate::store::checkout::Checkout;
use crate::store::links::{self, Claimed, LinkRow};
use crate::store::{inbox, revisions};
use crate::worker::Worker;

pub(crate) const TITLE: &str = "System.Title";
pub(crate) const DESCRIPTION: &str = "System.Description";
pub(crate) const STATE: &str = "System.State";

pub(crate) enum Kind {
    Updated,
    Deleted,
    Restored,
}

pub async fn handle(worker: Arc<Worker>, message: IncomingMessage) -> Outcome {
    let envelope = match decode(&message.body) {
        Ok(e) => e,
        Err(err) => return Outcome::dead_letter(format!("{}: {err}", err.code())),
    };
    let (event, kind) = match envelope.data {
        Event::AdoWorkItemUpdated(e) => (e, Kind::Updated),
        Event::AdoWorkItemDeleted(e) => (e, Kind::Deleted),
        Event::AdoWorkItemRestored(e) => (e, Kind::Restored),
        _ => return Outcome::Ack,
    };
    crate::hook_watch::heard(&worker, event.company_id, event.integration_id).await;
    let org = event.organization.to_ascii_lowercase();
    // Another delivery about the same item is usually done within moments. No pool slot
    // is held while waiting for it: under load the waiters would starve the holder.
    let mut waited = std::time::Duration::ZERO;
    let (conn, link) = loop {
        let mut conn = match worker.pool.get().await {
            Ok(c) => c,
            Err(err) => return Outcome::retry(format!("database: {err}")),
        };
        let claimed =
            links::claim_by_work_item(&mut conn, &org, event.work_item_id, worker.lease_until())
                .await;
        match claimed {
            Ok(Claimed::Ours(link)) => break (conn, *link),
            Ok(Claimed::Busy) if waited < LEASE_PATIENCE => {
                drop(conn);
                tokio::time::sleep(LEASE_POLL).await;
                waited += LEASE_POLL;
            }
            Ok(Claimed::Busy) => return Outcome::retry("another worker holds this work item"),
            Ok(Claimed::Unknown) => {
                // Not created by navsync: never imported (SPEC §1.3).
                metrics::counter!("ado_changes_total", "outcome" => "foreign").increment(1);
                return Outcome::Ack;
            }
            Err(err) => return Outcome::retry(format!("database: {err}")),
        }
    };
    let action_item_id = link.action_item_id;
    let mut db = Checkout::holding(&worker.pool, conn);
    match apply(&worker, &mut db, link, &event, kind, None).await {
        Ok(()) => Outcome::Ack,
        Err(reason) => {
            if let Ok(conn) = db.conn().await {
                let _ = links::release(conn, action_item_id).await;
            }
            Outcome::retry(reason)
        }
    }
}

fn db_error(e: diesel::result::Error) -> String {
    format!("database: {e}")
}

/// Records the notification as handled and saves what the link now knows.
async fn finish(
    db: &mut Checkout<'_>,
    event: &AdoWorkItemEventV1,
    link: &LinkRow,
) -> Result<(), String> {
    inbox::record(
        db.conn().await?,
        &event.subscription_id,
        event.notification_id,
    )
    .await
    .map_err(db_error)?;
    links::save_and_release(db.conn().await?, link)
        .await
        .map_err(db_error)
}

/// Applies `event` to the claimed `link` and gives the lease back. `read`: the work item
/// as the caller already read it (the reconciler's batch), used instead of reading it again
/// for a minimal-details update.
pub(crate) async fn apply(
    worker: &Worker,
    db: &mut Checkout<'_>,
    mut link: LinkRow,
    event: &AdoWorkItemEventV1,
    kind: Kind,
    read: Option<&WorkItem>,
) -> Result<(), String> {
    if inbox::seen(
        db.conn().await?,
        &event.subscription_id,
        event.notification_id,
    )
    .await
    .map_err(db_error)?
    {
        metrics::counter!("ado_changes_total", "outcome" => "duplicate").increment(1);
        links::release(db.conn().await?, link.action_item_id)
            .await
            .map_err(db_error)?;
        return Ok(());
    }
    if link.state == links::DELETED || link.state == links::GONE {
        // The action item is gone already (deleted in Navigator, or its work item was).
        return finish(db, event, &link).await;
    }
    match kind {
        Kind::Restored => finish(db, event, &link).await,
        Kind::Deleted => {
            worker
                .deleted_in_ado(
                    link.action_item_id,
                    link.company_id,
                    event.work_item_id,
                    event.rev,
                    event.revised_by.clone(),
                )
                .await
                .map_err(|e| format!("broker: {e}"))?;
            link.state = links::GONE.to_owned();
            finish(db, event, &link).await
        }
        Kind::Updated => {
            if let Some(rev) = event.rev
                && revisions::is_ours(
                    db.conn().await?,
                    &link.organization,
                    event.work_item_id,
                    rev,
                )
                .await
                .map_err(db_error)?
            {
                metrics::counter!("ado_changes_total", "outcome" => "echo").increment(1);
                return finish(db, event, &link).await;
            }
            let Some(changes) = changes(worker, db, &mut link, event, read).await? else {
                return finish(db, event, &link).await;
            };
            if let Some((changes, rev)) = changes {
                worker
                    .changed_in_ado(
                        link.action_item_id,
                        link.company_id,
                        event.work_item_id,
                        rev,
                        changes,
                        event.revised_by.clone(),
                        event.revised_at,
                    )
                    .await
                    .map_err(|e| format!("broker: {e}"))?;
            } else {
                metrics::counter!("ado_changes_total", "outcome" => "superseded").increment(1);
            }
            finish(db, event, &link).await
        }
    }
}

/// The changes of `event` that no newer known revision superseded, updating what the link
/// knows. `Ok(None)`: nothing to report (an echo found late, or no integration).
#[allow(clippy::type_complexity)]
async fn changes(
    worker: &Worker,
    db: &mut Checkout<'_>,
    link: &mut LinkRow,
    event: &AdoWorkItemEventV1,
    read: Option<&WorkItem>,
) -> Result<Option<Option<(AdoChanges, i64)>>, String> {
    let Some(integration) = worker
        .directory
        .for_company(link.company_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let (org, pat) = match (integration.org(), integration.pat()) {
        (Ok(o), Ok(p)) => (o, p),
        _ => return Ok(None),
    };
    let ado_error = |e: AdoError| format!("ADO: {e}");
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    let full = event.resource_details == ResourceDetails::All && event.rev.is_some();
    if full {
        let rev = event.rev.unwrap_or_default();
        for field in [TITLE, DESCRIPTION, STATE] {
            if let Some(change) = event.changed_fields.get(field) {
                candidates.push((field, change.new_value.as_ref().and_then(as_text), rev));
            }
        }
    } else {
        // Minimal details: read the work item and compare with what we know; the
        // connection is not held while ADO answers (see `Checkout`).
        let wi = match read {
            Some(wi) => Ok(wi.clone()),
            None => {
                db.give_back();
                worker
                    .gates
                    .call(
                        org.as_str(),
                        true,
                        || worker.ado.rate_budget(&org),
                        || worker.ado.get_work_item(&org, &pat, event.work_item_id),
                    )
                    .await
            }
        };
        let wi = match wi {
            Ok(wi) => wi,
            Err(AdoError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(ado_error(e)),
        };
        if revisions::is_ours(db.conn().await?, &link.organization, wi.id, wi.rev)
            .await
            .map_err(|e| format!("database: {e}"))?
        {
            return Ok(None);
        }
        let title = wi.field_str(TITLE).map(str::to_owned);
        if title.is_some() && title != link.known_title {
            candidates.push((TITLE, title, wi.rev));
        }
        let description = wi.field_str(DESCRIPTION).map(str::to_owned);
        let as_text = description.as_deref().map(html_to_text).unwrap_or_default();
        if as_text != link.known_description.clone().unwrap_or_default() {
            candidates.push((DESCRIPTION, description, wi.rev));
        }
        let state = wi.field_str(STATE).map(str::to_owned);
        if state.is_some() && state != link.known_state {
            candidates.push((STATE, state, wi.rev));
        }
    }
    let ours = crate::unconfirmed::take_ours(link, &mut candidates);
    if ours > 0 {
        metrics::counter!("ado_changes_total", "outcome" => "echo_of_unconfirmed_write")
            .increment(1);
    }
    if candidates.is_empty() {
        // Only our own lost write's changes: an echo, not a superseded change.
        return Ok((ours == 0).then_some(None));
    }
    let info = worker
        .metadata
        .type_info(
            &worker.ado,
            &worker.gates,
            &org,
            &pat,
            &link.project,
            &integration.work_item_type,
        )
        .await
        .map_err(ado_error)?;
    Ok(Some(take_newer(
        link,
        candidates,
        &info.states,
        &integration.state_mapping,
    )))
}

/// A field's new value in ADO and the revision that set it: `(field, value, rev)`.
pub(crate) type Candidate<'a> = (&'a str, Option<String>, i64);

/// The candidates no newer known revision of their field superseded, as the changes to
/// report (with the newest revision among them); the link learns each one, and the
/// revision of each it reports.
pub(crate) fn take_newer(
    link: &mut LinkRow,
    candidates: Vec<Candidate<'_>>,
    states: &[WorkItemState],
    state_mapping: &HashMap<String, String>,
) -> Option<(AdoChanges, i64)> {
    let mut changes = AdoChanges::default();
    let mut max_rev = 0;
    for (field, value, rev) in candidates {
        let known_rev = match field {
            TITLE => &mut link.title_rev,
            DESCRIPTION => &mut link.description_rev,
            _ => &mut link.state_rev,
        };
        if known_rev.is_some_and(|known| rev <= known) {
            continue; // a newer revision of this field is known: this change is superseded
        }
        *known_rev = Some(rev);
        max_rev = max_rev.max(rev);
        match field {
            TITLE => {
                link.known_title = value.clone();
                if let Some(title) =
                    value.filter(|t| !t.trim().is_empty() && t.chars().count() <= 255)
                {
                    changes.title = Some(FieldValue { value: title, rev });
                    link.title_reported_rev = Some(rev);
                }
            }
            DESCRIPTION => {
                let text = value.as_deref().map(html_to_text).unwrap_or_default();
                link.known_description = Some(text.clone());
                changes.description = Some(FieldValue {
                    value: (!text.is_empty()).then_some(text),
                    rev,
                });
                link.description_reported_rev = Some(rev);
            }
            _ => {
                link.known_state = value.clone();
                if let Some(status) = value
                    .as_deref()
                    .and_then(|s| status_for(s, states, state_mapping))
                {
                    changes.status = Some(FieldValue { value: status, rev });
                    link.state_reported_rev = Some(rev);
                }
            }
        }
    }
    (!changes.is_empty()).then_some((changes, max_rev))
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}
