//! Integration tests: each spawns the real emulator on port 0 and talks HTTP to it with
//! reqwest, as navsync's ADO client will. One binary, so the build links once.

mod api_version;
mod auth;
mod binary;
mod control;
mod core_routes;
mod faults;
mod helpers;
mod in_process;
mod request_log;
mod resource_areas;
