//! The ado-sync service's tables, one module each.

pub mod checkout;
pub mod dead_letter_audit;
pub mod hook_activity;
pub mod inbox;
pub mod links;
pub mod parked;
pub mod revisions;
pub mod tracked;
