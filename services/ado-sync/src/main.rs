//! Starts `navsync-ado-sync`: telemetry, settings, build, work until SIGTERM.

use navsync_ado_sync::startup::{Application, DEFAULT_PORT, SERVICE};
use navsync_platform::settings::{self, Needs, Settings};
use navsync_platform::{shutdown, telemetry};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let needs = Needs {
        service_token: true,
        ..Needs::default()
    };
    let settings = settings::exit_on_error(Settings::load(DEFAULT_PORT, needs));
    let telemetry = telemetry::init(SERVICE, &settings);
    let token = shutdown::on_signal();
    let code = match Application::build(settings).await {
        Ok(app) => {
            tracing::info!(port = app.port(), "navsync-ado-sync running");
            match app.run_until_stopped(token).await {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(err) => {
                    tracing::error!(error = %err, "server failed");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "cannot start");
            eprintln!("navsync-ado-sync: cannot start: {err:#}");
            std::process::ExitCode::FAILURE
        }
    };
    telemetry.shutdown();
    code
}
