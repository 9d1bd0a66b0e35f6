//! The durable consumer queues of navsync and what each is bound to. Every service
//! declares all of them at start (idempotently), so that a publisher never meets an
//! unroutable exchange just because the consuming service has not started yet: events wait
//! in their queue instead.

use crate::routing::exchange;

/// A queue's name, its source exchange and its bindings (topic patterns).
#[derive(Debug, Clone, Copy)]
pub struct QueueDef {
    pub name: &'static str,
    pub exchange: &'static str,
    pub bindings: &'static [&'static str],
}

/// `ado-sync` reads every action item event, from any Navigator service: creations here
/// (a bulk import lands here too)...
pub const ADO_SYNC_ACTION_ITEMS: QueueDef = QueueDef {
    name: "ado-sync.action-items",
    exchange: exchange::ACTION_ITEMS,
    bindings: &["action_item.created.#"],
};

/// ...and edits and deletions in a lane of their own, so a person's live edit never waits
/// behind a backlog of creations.
pub const ADO_SYNC_ACTION_ITEM_EDITS: QueueDef = QueueDef {
    name: "ado-sync.action-item-edits",
    exchange: exchange::ACTION_ITEMS,
    bindings: &["action_item.updated.#", "action_item.deleted.#"],
};

/// `ado-sync` reads the raw events of the webhook ingress.
pub const ADO_SYNC_ADO_INBOUND: QueueDef = QueueDef {
    name: "ado-sync.ado-inbound",
    exchange: exchange::ADO_INBOUND,
    bindings: &["ado.work_item.#"],
};

/// `action-items` reads what `ado-sync` reports: sync status and changes made in ADO.
pub const ACTION_ITEMS_ADO_SYNC: QueueDef = QueueDef {
    name: "action-items.ado-sync",
    exchange: exchange::ADO_SYNC,
    bindings: &["action_item.#"],
};

pub const ALL: [QueueDef; 4] = [
    ADO_SYNC_ACTION_ITEMS,
    ADO_SYNC_ACTION_ITEM_EDITS,
    ADO_SYNC_ADO_INBOUND,
    ACTION_ITEMS_ADO_SYNC,
];
