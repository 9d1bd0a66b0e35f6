//! `navsync-integrations`: a company's Azure DevOps integration (SPEC §5). It stores the
//! organization and the PAT (encrypted), validates them against ADO, issues the Webhook URL
//! and secret, keeps the audit log, serves other services an internal API, and announces
//! every change as `integration.changed.v1` through its outbox.
#![forbid(unsafe_code)]

pub mod crypto;
mod events;
mod hook_health;
pub mod openapi;
pub mod pat_expiry;
pub mod pat_watch;
mod routes;
mod schema;
mod settings_input;
pub mod startup;
mod state;
mod status_gauge;
mod store;
mod verify;
mod view;

pub use startup::Application;
