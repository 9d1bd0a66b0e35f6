//! Starts `navsync-webhook-ingress`: telemetry, settings, build, serve until SIGTERM.

use navsync_platform::settings::{self, Needs, Settings};
use navsync_platform::{shutdown, telemetry};
use navsync_webhook_ingress::IngressSettings;
use navsync_webhook_ingress::startup::{Application, DEFAULT_PORT, SERVICE};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let needs = Needs {
        service_token: true,
        ..Needs::default()
    };
    let settings = settings::exit_on_error(Settings::load(DEFAULT_PORT, needs));
    let ingress = settings::exit_on_error(IngressSettings::load());
    let telemetry = telemetry::init(SERVICE, &settings);
    let token = shutdown::on_signal();
    let code = match Application::build(settings, ingress).await {
        Ok(app) => {
            tracing::info!(port = app.port(), "navsync-webhook-ingress listening");
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
            eprintln!("navsync-webhook-ingress: cannot start: {err:#}");
            std::process::ExitCode::FAILURE
        }
    };
    telemetry.shutdown();
    code
}
