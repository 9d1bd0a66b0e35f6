//! `navsync-action-items`: Navigator's action items (SPEC §6). Every change is written with
//! its event in one transaction (the outbox) and published by the relay with broker
//! confirms; what ado-sync reports back is applied once, field by field (the inbox).
#![forbid(unsafe_code)]

mod events;
mod from_ado;
mod input;
mod lag;
pub mod openapi;
pub mod relay;
mod routes;
mod schema;
pub mod startup;
mod state;
mod store;
mod view;

pub use startup::Application;
