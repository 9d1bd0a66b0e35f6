//! The emulator as a process: settings, telemetry, the seed named by
//! `NAVSYNC_EMULATOR__SEED`, then serve until SIGTERM or Ctrl-C and stop gracefully.

use std::net::TcpListener;
use std::time::Duration;

use navsync_ado_emulator::{Emulator, load_file};
use navsync_platform::settings::{self, ConfigError, Needs, Settings};
use navsync_platform::{shutdown, telemetry};

/// SPEC §3: the emulator's port.
const DEFAULT_PORT: u16 = 8090;

#[tokio::main]
async fn main() {
    let settings = settings::exit_on_error(Settings::load(DEFAULT_PORT, Needs::default()));
    let telemetry = telemetry::init("ado-emulator", &settings);
    // Listening for signals from the start: a SIGTERM during start-up still stops us.
    let shutdown = shutdown::on_signal();

    let emulator = Emulator::new();
    if let Some(path) = &settings.emulator.seed {
        // A bad seed is a configuration error: one line naming the variable, then exit.
        let seeded = load_file(path).and_then(|seed| emulator.seed(seed));
        settings::exit_on_error(
            seeded.map_err(|err| ConfigError(format!("NAVSYNC_EMULATOR__SEED: {err}"))),
        );
    }

    let address = format!("{}:{}", settings.http.host, settings.http.port);
    let listener = TcpListener::bind(&address).unwrap_or_else(|err| {
        eprintln!("could not listen on {address}: {err}");
        std::process::exit(1);
    });
    let timeout = Duration::from_secs(settings.http.shutdown_timeout_secs);
    let running = match emulator.serve(listener, timeout).await {
        Ok(running) => running,
        Err(err) => {
            eprintln!("could not serve on {address}: {err}");
            std::process::exit(1);
        }
    };
    tracing::info!(base_url = %running.base_url, "ado-emulator listening");

    shutdown.cancelled().await;
    running.stop().await;
    tracing::info!("ado-emulator stopped");
    telemetry.shutdown();
}
