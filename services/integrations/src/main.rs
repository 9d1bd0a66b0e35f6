//! Starts `navsync-integrations`: settings, then the shared service main (telemetry, build, serve
//! until SIGTERM, flush).

use navsync_integrations::startup::{Application, DEFAULT_PORT, SERVICE};
use navsync_platform::service;
use navsync_platform::settings::{self, Needs, Settings};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let needs = Needs {
        jwt_secret: true,
        service_token: true,
        crypto_key: true,
    };
    let settings = settings::exit_on_error(Settings::load(DEFAULT_PORT, needs));
    service::main(
        SERVICE,
        "navsync-integrations",
        settings,
        Application::build,
    )
    .await
}
