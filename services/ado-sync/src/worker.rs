//! What every handler of ado-sync shares, and the events it publishes on
//! `navigator.ado-sync`. A handler publishes (and waits for the confirm) before it acks its
//! own message, so a status is never lost; a redelivery may repeat one, and `action-items`
//! applies each idempotently.

use std::time::Duration;

use chrono::{DateTime, Utc};
use navsync_ado_client::AdoClient;
use navsync_contracts::{
    ActionItemChangedInAdoV1, ActionItemDeletedInAdoV1, ActionItemSyncFailedV1, ActionItemSyncedV1,
    AdoChanges, Envelope, Event, SyncError, encode, source,
};
use navsync_messaging::{OutgoingMessage, PublishError, Publisher};
use navsync_platform::db::Pool;
use uuid::Uuid;

use crate::admission::Admissions;
use crate::directory::Directory;
use crate::gate::Gates;
use crate::metadata::Metadata;

pub struct Worker {
    pub pool: Pool,
    pub ado: AdoClient,
    pub gates: Gates,
    /// Bounds the action items of one organization handled at once (see `admission`).
    pub admissions: Admissions,
    pub metadata: Metadata,
    pub directory: Directory,
    pub publisher: Publisher,
    /// Base of the link from a work item back to its action item.
    pub navigator_url: String,
    /// How long a worker may act on an item before another may take over.
    pub lease: Duration,
}

impl Worker {
    pub fn lease_until(&self) -> DateTime<Utc> {
        navsync_platform::db::now()
            + chrono::TimeDelta::from_std(self.lease).unwrap_or(chrono::TimeDelta::minutes(2))
    }

    async fn publish(&self, event: Event) -> Result<(), PublishError> {
        let envelope = Envelope::from_event(source::ADO_SYNC, event);
        let body = encode(&envelope).map_err(|e| PublishError::Unavailable(e.to_string()))?;
        self.publisher
            .publish(&OutgoingMessage::cloud_event(
                envelope.exchange(),
                envelope.routing_key(),
                envelope.id.to_string(),
                body,
                None,
            ))
            .await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn synced(
        &self,
        action_item_id: Uuid,
        company_id: Uuid,
        work_item_id: i64,
        url: &str,
        rev: i64,
        version: i64,
        warning: Option<SyncError>,
    ) -> Result<(), PublishError> {
        metrics::counter!("sync_outcomes_total", "outcome" => "synced").increment(1);
        self.publish(Event::ActionItemSynced(ActionItemSyncedV1 {
            action_item_id,
            company_id,
            work_item_id,
            url: url.to_owned(),
            rev,
            version,
            synced_at: navsync_platform::db::now(),
            warnings: warning.into_iter().collect(),
        }))
        .await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn failed(
        &self,
        action_item_id: Uuid,
        company_id: Uuid,
        work_item_id: Option<i64>,
        version: i64,
        code: &str,
        message: &str,
        paused: bool,
    ) -> Result<(), PublishError> {
        metrics::counter!("sync_outcomes_total", "outcome" => if paused { "paused" } else { "failed" })
            .increment(1);
        self.publish(Event::ActionItemSyncFailed(ActionItemSyncFailedV1 {
            action_item_id,
            company_id,
            work_item_id,
            version: version.max(1),
            error: SyncError {
                code: code.to_owned(),
                message: message.to_owned(),
            },
            paused,
            failed_at: navsync_platform::db::now(),
        }))
        .await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn changed_in_ado(
        &self,
        action_item_id: Uuid,
        company_id: Uuid,
        work_item_id: i64,
        rev: i64,
        changes: AdoChanges,
        changed_by: Option<String>,
        changed_at: Option<DateTime<Utc>>,
    ) -> Result<(), PublishError> {
        metrics::counter!("ado_changes_total", "outcome" => "published").increment(1);
        self.publish(Event::ActionItemChangedInAdo(ActionItemChangedInAdoV1 {
            action_item_id,
            company_id,
            work_item_id,
            rev,
            changes,
            changed_by,
            changed_at: changed_at.unwrap_or_else(navsync_platform::db::now),
        }))
        .await
    }

    pub async fn deleted_in_ado(
        &self,
        action_item_id: Uuid,
        company_id: Uuid,
        work_item_id: i64,
        rev: Option<i64>,
        deleted_by: Option<String>,
    ) -> Result<(), PublishError> {
        metrics::counter!("ado_changes_total", "outcome" => "deleted").increment(1);
        self.publish(Event::ActionItemDeletedInAdo(ActionItemDeletedInAdoV1 {
            action_item_id,
            company_id,
            work_item_id,
            rev,
            deleted_by,
            deleted_at: navsync_platform::db::now(),
        }))
        .await
    }
}
