//! The emulator as a process: settings, telemetry, the seed named by
//! `NAVSYNC_EMULATOR__SEED`, the hook delivery timings scaled by
//! `NAVSYNC_EMULATOR__HOOK_RETRY_SCALE`, then serve until SIGTERM or Ctrl-C and stop
//! gracefully.

use std::net::TcpListener;
use std::time::Duration;

use navsync_ado_emulator::{Emulator, HookSettings, load_file};
use navsync_platform::settings::{self, ConfigError, Needs, Settings};
use navsync_platform::{shutdown, telemetry};

/// SPEC §3: the emulator's port.
const DEFAULT_PORT: u16 = 8090;
/// A factor on ADO's service hook retry delays (the emulator's own setting, read here
/// because the shared settings do not know it): `0.001` turns minutes into milliseconds.
const HOOK_RETRY_SCALE: &str = "NAVSYNC_EMULATOR__HOOK_RETRY_SCALE";

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

    if let Ok(text) = std::env::var(HOOK_RETRY_SCALE) {
        let factor = text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f >= 0.0);
        let Some(factor) = factor else {
            settings::exit_on_error::<()>(Err(ConfigError(format!(
                "{HOOK_RETRY_SCALE}: \"{text}\" is not a non-negative number"
            ))));
            return;
        };
        if let Err(err) = emulator.set_hook_settings(HookSettings::scaled(factor)) {
            settings::exit_on_error::<()>(Err(ConfigError(format!("{HOOK_RETRY_SCALE}: {err}"))));
        }
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
