//! `Event`: one variant per routing key, so that a consumer's `match` is checked by the
//! compiler and a producer cannot pair data with the wrong `type` or exchange. A new
//! version of a type is a new variant (`ActionItemCreatedV2(…)`) beside the old, never an
//! edit of the old one: consumers of v1 keep working while producers move over.

use serde::{Serialize, Serializer};

use crate::action_item::{ActionItemUpdatedV1, ActionItemV1};
use crate::ado_inbound::AdoWorkItemEventV1;
use crate::ado_sync::{
    ActionItemChangedInAdoV1, ActionItemDeletedInAdoV1, ActionItemSyncFailedV1, ActionItemSyncedV1,
};
use crate::integration::IntegrationChangedV1;
use crate::routing::{exchange, routing_key};
use crate::validate::{Validate, Violation};

/// The data of an event, tagged by its type. It serializes as the bare data (the tag is
/// the envelope's `type`), and is read back only through [`crate::decode`], which picks the
/// variant from `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `action_item.created.v1` on `navigator.action-items`.
    ActionItemCreated(ActionItemV1),
    /// `action_item.updated.v1` on `navigator.action-items`.
    ActionItemUpdated(ActionItemUpdatedV1),
    /// `action_item.deleted.v1` on `navigator.action-items`: the item as it was, with the
    /// version of the deletion.
    ActionItemDeleted(ActionItemV1),
    /// `ado.work_item.updated.v1` on `navigator.ado-inbound`.
    AdoWorkItemUpdated(AdoWorkItemEventV1),
    /// `ado.work_item.deleted.v1` on `navigator.ado-inbound`.
    AdoWorkItemDeleted(AdoWorkItemEventV1),
    /// `ado.work_item.restored.v1` on `navigator.ado-inbound`.
    AdoWorkItemRestored(AdoWorkItemEventV1),
    /// `action_item.synced.v1` on `navigator.ado-sync`.
    ActionItemSynced(ActionItemSyncedV1),
    /// `action_item.sync_failed.v1` on `navigator.ado-sync`.
    ActionItemSyncFailed(ActionItemSyncFailedV1),
    /// `action_item.changed_in_ado.v1` on `navigator.ado-sync`.
    ActionItemChangedInAdo(ActionItemChangedInAdoV1),
    /// `action_item.deleted_in_ado.v1` on `navigator.ado-sync`.
    ActionItemDeletedInAdo(ActionItemDeletedInAdoV1),
    /// `integration.changed.v1` on `navigator.integrations`.
    IntegrationChanged(IntegrationChangedV1),
}

impl Event {
    /// The CloudEvents `type`, which is also the routing key.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::ActionItemCreated(_) => routing_key::ACTION_ITEM_CREATED_V1,
            Self::ActionItemUpdated(_) => routing_key::ACTION_ITEM_UPDATED_V1,
            Self::ActionItemDeleted(_) => routing_key::ACTION_ITEM_DELETED_V1,
            Self::AdoWorkItemUpdated(_) => routing_key::ADO_WORK_ITEM_UPDATED_V1,
            Self::AdoWorkItemDeleted(_) => routing_key::ADO_WORK_ITEM_DELETED_V1,
            Self::AdoWorkItemRestored(_) => routing_key::ADO_WORK_ITEM_RESTORED_V1,
            Self::ActionItemSynced(_) => routing_key::ACTION_ITEM_SYNCED_V1,
            Self::ActionItemSyncFailed(_) => routing_key::ACTION_ITEM_SYNC_FAILED_V1,
            Self::ActionItemChangedInAdo(_) => routing_key::ACTION_ITEM_CHANGED_IN_ADO_V1,
            Self::ActionItemDeletedInAdo(_) => routing_key::ACTION_ITEM_DELETED_IN_ADO_V1,
            Self::IntegrationChanged(_) => routing_key::INTEGRATION_CHANGED_V1,
        }
    }

    /// The exchange the event is published to.
    pub fn exchange(&self) -> &'static str {
        match self {
            Self::ActionItemCreated(_)
            | Self::ActionItemUpdated(_)
            | Self::ActionItemDeleted(_) => exchange::ACTION_ITEMS,
            Self::AdoWorkItemUpdated(_)
            | Self::AdoWorkItemDeleted(_)
            | Self::AdoWorkItemRestored(_) => exchange::ADO_INBOUND,
            Self::ActionItemSynced(_)
            | Self::ActionItemSyncFailed(_)
            | Self::ActionItemChangedInAdo(_)
            | Self::ActionItemDeletedInAdo(_) => exchange::ADO_SYNC,
            Self::IntegrationChanged(_) => exchange::INTEGRATIONS,
        }
    }

    /// The CloudEvents `subject` navsync's producers use: the action item id for
    /// `action_item.*`, the work item id for raw ADO events, the integration id for
    /// `integration.changed`.
    pub fn subject(&self) -> String {
        match self {
            Self::ActionItemCreated(item) | Self::ActionItemDeleted(item) => item.id.to_string(),
            Self::ActionItemUpdated(update) => update.item.id.to_string(),
            Self::AdoWorkItemUpdated(raw)
            | Self::AdoWorkItemDeleted(raw)
            | Self::AdoWorkItemRestored(raw) => raw.work_item_id.to_string(),
            Self::ActionItemSynced(e) => e.action_item_id.to_string(),
            Self::ActionItemSyncFailed(e) => e.action_item_id.to_string(),
            Self::ActionItemChangedInAdo(e) => e.action_item_id.to_string(),
            Self::ActionItemDeletedInAdo(e) => e.action_item_id.to_string(),
            Self::IntegrationChanged(e) => e.integration_id.to_string(),
        }
    }
}

impl Validate for Event {
    fn validate(&self) -> Result<(), Violation> {
        match self {
            Self::ActionItemCreated(item) | Self::ActionItemDeleted(item) => item.validate(),
            Self::ActionItemUpdated(update) => update.validate(),
            Self::AdoWorkItemUpdated(raw)
            | Self::AdoWorkItemDeleted(raw)
            | Self::AdoWorkItemRestored(raw) => raw.validate(),
            Self::ActionItemSynced(e) => e.validate(),
            Self::ActionItemSyncFailed(e) => e.validate(),
            Self::ActionItemChangedInAdo(e) => e.validate(),
            Self::ActionItemDeletedInAdo(e) => e.validate(),
            Self::IntegrationChanged(e) => e.validate(),
        }
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::ActionItemCreated(item) | Self::ActionItemDeleted(item) => {
                item.serialize(serializer)
            }
            Self::ActionItemUpdated(update) => update.serialize(serializer),
            Self::AdoWorkItemUpdated(raw)
            | Self::AdoWorkItemDeleted(raw)
            | Self::AdoWorkItemRestored(raw) => raw.serialize(serializer),
            Self::ActionItemSynced(e) => e.serialize(serializer),
            Self::ActionItemSyncFailed(e) => e.serialize(serializer),
            Self::ActionItemChangedInAdo(e) => e.serialize(serializer),
            Self::ActionItemDeletedInAdo(e) => e.serialize(serializer),
            Self::IntegrationChanged(e) => e.serialize(serializer),
        }
    }
}
