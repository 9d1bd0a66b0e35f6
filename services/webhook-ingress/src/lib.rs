//! `navsync-webhook-ingress`: receives Azure DevOps service hook calls (SPEC §8),
//! authenticates them against the integration's webhook secret, and publishes
//! `ado.work_item.updated/deleted/restored.v1` to `navigator.ado-inbound` (SPEC §7),
//! answering ADO 200 only once the broker confirmed. It owns nothing durable.
#![forbid(unsafe_code)]

pub mod auth;
mod changes;
pub mod config;
mod directory;
mod limiter;
pub mod openapi;
mod outcome;
pub mod payload;
pub mod publish;
mod routes;
pub mod startup;
mod state;

pub use config::IngressSettings;
pub use startup::Application;
