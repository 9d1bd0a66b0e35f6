//! The relay of `action_items.outbox`: the shared one of `navsync-outbox`, over this
//! service's table.

pub use navsync_outbox::{Relay, declare_topology};

/// This service's outbox, for building a [`Relay`].
pub fn table() -> navsync_outbox::OutboxTable {
    crate::store::outbox::TABLE.clone()
}
