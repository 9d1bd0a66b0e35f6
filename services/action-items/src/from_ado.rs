//! Applies what ado-sync reports on `navigator.ado-sync` (SPEC §9): sync status, changes
//! made in ADO, deletions in ADO. Each event is applied at most once (the inbox, in the
//! same transaction as the effect), and a field changes only when the event's revision of
//! that field is newer than the last one applied — so a late or repeated delivery never
//! overwrites a newer edit, and a change of one field leaves the others alone.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use navsync_contracts::{
    ActionItemChangedInAdoV1, ActionItemDeletedInAdoV1, ActionItemSyncFailedV1, ActionItemSyncedV1,
    Event, Origin, changed_field, decode,
};
use navsync_messaging::{IncomingMessage, Outcome};
use navsync_platform::db::Pool;
use tokio::sync::Notify;

use crate::events::{Change, outbox_row};
use crate::store::action_items::{self as items, ActionItemRow};
use crate::store::{inbox, outbox};
use crate::view::status_str;

#[derive(Debug, thiserror::Error)]
enum ApplyError {
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("cannot build the event: {0}")]
    Event(String),
}

/// The handler of the `action-items.ado-sync` queue.
pub async fn handle(pool: Pool, wake: std::sync::Arc<Notify>, message: IncomingMessage) -> Outcome {
    let envelope = match decode(&message.body) {
        Ok(envelope) => envelope,
        Err(err) => return Outcome::dead_letter(format!("{}: {err}", err.code())),
    };
    let event_id = envelope.id;
    let event_type = envelope.event_type.clone();
    let mut conn = match pool.get().await {
        Ok(conn) => conn,
        Err(err) => return Outcome::retry(format!("database: {err}")),
    };
    let result = conn
        .transaction(async |conn| {
            if !inbox::record(conn, event_id, &event_type).await? {
                return Ok(false);
            }
            match &envelope.data {
                Event::ActionItemSynced(e) => synced(conn, e).await,
                Event::ActionItemSyncFailed(e) => sync_failed(conn, e).await,
                Event::ActionItemChangedInAdo(e) => changed_in_ado(conn, e).await,
                Event::ActionItemDeletedInAdo(e) => deleted_in_ado(conn, e).await,
                // Another event on this exchange is not ours to apply.
                _ => Ok(false),
            }
        })
        .await;
    match result {
        Ok(wrote_event) => {
            if wrote_event {
                wake.notify_one();
            }
            Outcome::Ack
        }
        Err(ApplyError::Database(err)) => Outcome::retry(format!("database: {err}")),
        Err(ApplyError::Event(err)) => Outcome::dead_letter(err),
    }
}

async fn synced(conn: &mut AsyncPgConnection, e: &ActionItemSyncedV1) -> Result<bool, ApplyError> {
    let Some(mut row) = items::find_for_update(conn, e.action_item_id, e.company_id).await? else {
        return Ok(false);
    };
    if e.version < row.ado_synced_version {
        // An older sync reported late: the newer one already stands.
        return Ok(false);
    }
    if e.version == row.version && e.version > row.ado_synced_version {
        crate::lag::record("to_ado", row.updated_at, e.synced_at);
    }
    row.ado_work_item_id = Some(e.work_item_id);
    row.ado_url = Some(e.url.clone());
    row.ado_synced_version = e.version;
    row.ado_last_synced_at = Some(e.synced_at);
    row.ado_error = None;
    row.ado_warning = (!e.warnings.is_empty()).then(|| {
        e.warnings
            .iter()
            .map(|w| w.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    });
    row.ado_sync_state = if e.version >= row.version {
        "synced"
    } else {
        "pending"
    }
    .to_owned();
    items::save(conn, &row).await?;
    Ok(false)
}

async fn sync_failed(
    conn: &mut AsyncPgConnection,
    e: &ActionItemSyncFailedV1,
) -> Result<bool, ApplyError> {
    let Some(mut row) = items::find_for_update(conn, e.action_item_id, e.company_id).await? else {
        return Ok(false);
    };
    if e.version < row.ado_synced_version {
        return Ok(false);
    }
    if let Some(id) = e.work_item_id {
        row.ado_work_item_id = Some(id);
    }
    row.ado_sync_state = if e.paused { "paused" } else { "failed" }.to_owned();
    row.ado_error = Some(e.error.message.clone());
    items::save(conn, &row).await?;
    Ok(false)
}

/// Keeps `value` when `rev` is newer than `applied`; records the revision either way.
fn newer(rev: i64, applied: Option<i64>) -> bool {
    applied.is_none_or(|applied| rev > applied)
}

async fn changed_in_ado(
    conn: &mut AsyncPgConnection,
    e: &ActionItemChangedInAdoV1,
) -> Result<bool, ApplyError> {
    let Some(mut row) = items::find_for_update(conn, e.action_item_id, e.company_id).await? else {
        return Ok(false);
    };
    crate::lag::record("from_ado", e.changed_at, chrono::Utc::now());
    let mut changed = Vec::new();
    let mut touched = false;
    if let Some(title) = &e.changes.title
        && newer(title.rev, row.ado_title_rev)
    {
        touched = true;
        row.ado_title_rev = Some(title.rev);
        if row.title != title.value {
            row.title = title.value.clone();
            changed.push(changed_field::TITLE.to_owned());
        }
    }
    if let Some(description) = &e.changes.description
        && newer(description.rev, row.ado_description_rev)
    {
        touched = true;
        row.ado_description_rev = Some(description.rev);
        if row.description != description.value {
            row.description = description.value.clone();
            changed.push(changed_field::DESCRIPTION.to_owned());
        }
    }
    if let Some(status) = &e.changes.status
        && newer(status.rev, row.ado_status_rev)
    {
        touched = true;
        row.ado_status_rev = Some(status.rev);
        let value = status_str(status.value);
        if row.status != value {
            row.status = value.to_owned();
            changed.push(changed_field::STATUS.to_owned());
        }
    }
    if !touched {
        return Ok(false);
    }
    let emit = !changed.is_empty();
    if emit {
        row.version += 1;
        row.updated_at = navsync_platform::db::now();
        // The item now holds what ADO holds: nothing is waiting to go there.
        if row.ado_synced_version == row.version - 1 {
            row.ado_synced_version = row.version;
        }
        let event = outbox_row(
            &row,
            Change::Updated {
                changed_fields: changed,
            },
            Origin::Ado,
        )
        .map_err(|e| ApplyError::Event(e.to_string()))?;
        outbox::insert(conn, &event).await?;
    }
    items::save(conn, &row).await?;
    Ok(emit)
}

async fn deleted_in_ado(
    conn: &mut AsyncPgConnection,
    e: &ActionItemDeletedInAdoV1,
) -> Result<bool, ApplyError> {
    let Some(mut row): Option<ActionItemRow> =
        items::find_for_update(conn, e.action_item_id, e.company_id).await?
    else {
        return Ok(false);
    };
    items::delete(conn, row.id).await?;
    row.version += 1;
    row.updated_at = navsync_platform::db::now();
    let event = outbox_row(&row, Change::Deleted, Origin::Ado)
        .map_err(|e| ApplyError::Event(e.to_string()))?;
    outbox::insert(conn, &event).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_revision_applies_only_when_newer_than_the_last_applied() {
        assert!(super::newer(3, None));
        assert!(super::newer(3, Some(2)));
        assert!(!super::newer(3, Some(3)));
        assert!(!super::newer(2, Some(3)));
    }
}
