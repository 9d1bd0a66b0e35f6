//! Starts `navsync-webhook-ingress`: settings (the shared ones and its own
//! `NAVSYNC_INGRESS__*`), then the shared service main.

use navsync_platform::service;
use navsync_platform::settings::{self, Needs, Settings};
use navsync_webhook_ingress::IngressSettings;
use navsync_webhook_ingress::startup::{Application, DEFAULT_PORT, SERVICE};

/// The allocator: glibc's malloc, freeing what another thread allocated (a request's
/// buffers cross from actix's workers to the publishing task and back), took ~17% of the
/// ingress's CPU under load (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let needs = Needs {
        service_token: true,
        ..Needs::default()
    };
    let settings = settings::exit_on_error(Settings::load(DEFAULT_PORT, needs));
    let ingress = settings::exit_on_error(IngressSettings::load());
    service::main(SERVICE, "navsync-webhook-ingress", settings, |s| {
        Application::build(s, ingress)
    })
    .await
}
