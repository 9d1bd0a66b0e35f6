//! Plumbing that every navsync service shares, so that a service's own crate holds only
//! its domain: typed settings, telemetry, the database pool and migrations, the HTTP
//! error body, authentication, health / readiness / metrics routes, and shutdown.
#![forbid(unsafe_code)]

pub mod api_error;
pub mod auth;
pub mod db;
pub mod health;
pub mod http_metrics;
pub mod kept_handles;
pub mod log_format;
pub mod metrics_catalog;
pub mod openapi;
pub mod service;
pub mod settings;
pub mod shutdown;
pub mod singleton;
pub mod telemetry;
pub mod trace_context;

pub use api_error::ApiError;
pub use settings::Settings;
