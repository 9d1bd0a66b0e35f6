//! Starts `navsync-integrations`: telemetry, settings, build, serve until SIGTERM.

use navsync_integrations::startup::{Application, DEFAULT_PORT, SERVICE};
use navsync_platform::settings::{self, Needs, Settings};
use navsync_platform::{shutdown, telemetry};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let needs = Needs {
        jwt_secret: true,
        service_token: true,
        crypto_key: true,
    };
    let settings = settings::exit_on_error(Settings::load(DEFAULT_PORT, needs));
    let telemetry = telemetry::init(SERVICE, &settings);
    let token = shutdown::on_signal();
    let code = match Application::build(settings).await {
        Ok(app) => {
            tracing::info!(port = app.port(), "navsync-integrations listening");
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
            eprintln!("navsync-integrations: cannot start: {err:#}");
            std::process::ExitCode::FAILURE
        }
    };
    telemetry.shutdown();
    code
}
