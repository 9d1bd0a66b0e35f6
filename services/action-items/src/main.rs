//! Starts `navsync-action-items`: telemetry, settings, build, serve until SIGTERM.

use navsync_action_items::startup::{Application, DEFAULT_PORT, SERVICE};
use navsync_platform::settings::{self, Needs, Settings};
use navsync_platform::{shutdown, telemetry};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let needs = Needs {
        jwt_secret: true,
        ..Needs::default()
    };
    let settings = settings::exit_on_error(Settings::load(DEFAULT_PORT, needs));
    let telemetry = telemetry::init(SERVICE, &settings);
    let token = shutdown::on_signal();
    let code = match Application::build(settings).await {
        Ok(app) => {
            tracing::info!(port = app.port(), "navsync-action-items listening");
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
            eprintln!("navsync-action-items: cannot start: {err:#}");
            std::process::ExitCode::FAILURE
        }
    };
    telemetry.shutdown();
    code
}
