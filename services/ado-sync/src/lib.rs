//! `navsync-ado-sync`: the worker between Navigator and ADO (SPEC §9). It turns action item
//! events into exactly one work item each and the changes to it, and turns ADO's changes
//! to those work items back into action item events — never importing foreign work items,
//! never echoing its own writes, never letting a late delivery overwrite a newer edit.
#![forbid(unsafe_code)]

mod admission;
mod changes;
mod dead_letters;
mod directory;
mod gate;
pub mod heal_settings;
mod hook_watch;
mod inbound;
pub mod mapping;
mod metadata;
pub mod openapi;
pub mod outbound;
mod reconciler;
pub mod resume;
mod routes;
mod schema;
pub mod startup;
mod store;
mod unconfirmed;
mod worker;

pub use startup::Application;
