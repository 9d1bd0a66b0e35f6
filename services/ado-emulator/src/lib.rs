//! A faithful local Azure DevOps (in the spirit of Azurite for Azure Storage): the REST
//! routes navsync calls, answered the way dev.azure.com answers them — including the
//! awkward ways it fails — so that our tests fail where production would.
//!
//! The same [`Emulator`] runs as a binary (development, the demo, benchmarks) and inside
//! other crates' tests ([`Emulator::start`] on port 0, or [`configure`] without a socket).
//! Its state lives in memory only; `/_emulator/*` is the control API that seeds it,
//! injects faults and shows the request log.
#![forbid(unsafe_code)]

mod ado_error;
mod api_version;
mod emulator;
mod faults;
mod ids;
mod pat_auth;
mod pipeline;
mod request_log;
mod routes;
mod seed;
mod state;

pub use emulator::{Emulator, RunningEmulator};
pub use faults::{Fault, FaultError};
pub use request_log::RecordedRequest;
pub use routes::configure;
pub use seed::{
    AuthFailure, Process, ScopeFailure, Seed, SeedError, SeedOrganization, SeedPat, load_file,
};
