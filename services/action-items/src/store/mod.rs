//! The action-items service's tables, one module each, with query functions named by what
//! they select or change.

pub mod action_items;
pub mod idempotency;
pub mod inbox;
pub mod outbox;
