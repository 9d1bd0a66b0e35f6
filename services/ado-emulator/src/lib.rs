//! A faithful local Azure DevOps (in the spirit of Azurite for Azure Storage): the REST
//! routes navsync calls, answered the way dev.azure.com answers them — including the
//! awkward ways it fails — so that our tests fail where production would.
//!
//! The same [`Emulator`] runs as a binary (development, the demo, benchmarks) and inside
//! other crates' tests ([`Emulator::start`] on port 0, or [`configure`] without a socket).
//! Its state lives in memory only; `/_emulator/*` is the control API that seeds it,
//! injects faults, latency and rate limits, acts as a person in ADO, manages service hook
//! subscriptions and shows the request log and the delivery history.
#![forbid(unsafe_code)]

mod ado_error;
mod api_version;
mod concurrency;
mod emulator;
mod faults;
mod hooks;
mod ids;
mod latency;
mod pat_auth;
mod people;
mod pipeline;
mod process;
mod rate_limit;
mod request_log;
mod routes;
mod seed;
mod state;
mod wit_error;
mod work_items;

pub use emulator::{ActionError, Emulator, RunningEmulator};
pub use faults::{Fault, FaultError};
pub use hooks::delivery::{Delivery, DeliveryResult, HookSettings};
pub use hooks::{ResourceDetails, SubscriptionInfo, SubscriptionStatus, WebhookSubscription};
pub use latency::Latency;
pub use people::Person;
pub use rate_limit::{EarlyRequest, RateLimit};
pub use request_log::RecordedRequest;
pub use routes::configure;
pub use seed::{
    AuthFailure, Process, ScopeFailure, Seed, SeedError, SeedOrganization, SeedPat, load_file,
};
pub use work_items::WorkItemSnapshot;
