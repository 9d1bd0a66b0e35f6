//! Integration tests of `navsync-integrations`: the real service on port 0, its own
//! PostgreSQL database per test, and the ADO emulator as Azure DevOps.

mod auth;
mod create;
mod events;
mod helpers;
mod internal;
mod manage;
mod page;
mod secrets;
mod security;
mod self_healing;
mod startup;
