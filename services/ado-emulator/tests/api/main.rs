//! Integration tests: each spawns the real emulator on port 0 and talks HTTP to it with
//! reqwest, as navsync's ADO client will. One binary, so the build links once.

mod api_version;
mod auth;
mod binary;
mod control;
mod core_routes;
mod faults;
mod helpers;
mod hook_deliveries;
mod hook_helpers;
mod hook_payloads;
mod hook_subscriptions;
mod in_process;
mod people;
mod processes;
mod rate_limits;
mod receiver;
mod request_log;
mod resource_areas;
mod wiql;
mod work_item_rules;
mod work_items;
