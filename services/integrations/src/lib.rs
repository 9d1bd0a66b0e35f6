//! `navsync-integrations`: a company's Azure DevOps integration (SPEC §5). It stores the
//! organization and the PAT (encrypted), validates them against ADO, issues the Webhook URL
//! and secret, keeps the audit log, and serves other services an internal API.
#![forbid(unsafe_code)]

pub mod crypto;
mod routes;
mod schema;
mod settings_input;
pub mod startup;
mod state;
mod store;
mod verify;
mod view;

pub use startup::Application;
