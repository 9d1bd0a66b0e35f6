//! Starts `navsync-ado-sync`: settings, then the shared service main (telemetry, build, serve
//! until SIGTERM, flush).

use navsync_ado_sync::startup::{Application, DEFAULT_PORT, SERVICE};
use navsync_platform::service;
use navsync_platform::settings::{self, Needs, Settings};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let needs = Needs {
        service_token: true,
        ..Needs::default()
    };
    let settings = settings::exit_on_error(Settings::load(DEFAULT_PORT, needs));
    service::main(SERVICE, "navsync-ado-sync", settings, Application::build).await
}
