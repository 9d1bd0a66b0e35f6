//! What every service's `main` and startup share: the HTTP server bound to its own
//! listener (port 0 in tests) with the request metrics and logs, stopping it on the
//! shutdown token, and the whole of `main` — telemetry, build, serve until SIGTERM, flush.

use std::future::Future;
use std::net::TcpListener;
use std::process::ExitCode;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context;
use tokio_util::sync::CancellationToken;

use crate::settings::{HttpSettings, Settings};
use crate::{http_metrics, shutdown, telemetry};

/// A built service, ready to serve.
pub trait Service: Sized {
    fn port(&self) -> u16;
    fn run_until_stopped(
        self,
        shutdown: CancellationToken,
    ) -> impl Future<Output = std::io::Result<()>> + Send;
}

/// Binds `http.host:http.port` and serves `configure`'s routes with request metrics and
/// logs; answers the server and the port it got.
pub fn http_server<F>(http: &HttpSettings, configure: F) -> anyhow::Result<(Server, u16)>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let listener = TcpListener::bind((http.host.as_str(), http.port))
        .with_context(|| format!("cannot listen on {}:{}", http.host, http.port))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware::from_fn(http_metrics::record))
            .wrap(tracing_actix_web::TracingLogger::<
                crate::trace_context::TracedRootSpan,
            >::new())
            .configure(configure.clone())
    })
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(http.shutdown_timeout_secs)
    .run();
    Ok((server, port))
}

/// Stops `server` gracefully (in-flight requests finish) once `shutdown` is cancelled.
pub fn stop_on(server: &Server, shutdown: CancellationToken) {
    let handle = server.handle();
    tokio::spawn(async move {
        shutdown.cancelled().await;
        handle.stop(true).await;
    });
}

/// The whole of a service's `main` after its settings loaded.
pub async fn main<S, F, Fut>(
    service: &'static str,
    binary: &str,
    settings: Settings,
    build: F,
) -> ExitCode
where
    S: Service,
    F: FnOnce(Settings) -> Fut,
    Fut: Future<Output = anyhow::Result<S>>,
{
    let telemetry = telemetry::init(service, &settings);
    let token = shutdown::on_signal();
    let code = match build(settings).await {
        Ok(app) => {
            tracing::info!(port = app.port(), "{binary} running");
            match app.run_until_stopped(token).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    tracing::error!(error = %err, "server failed");
                    ExitCode::FAILURE
                }
            }
        }
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "cannot start");
            eprintln!("{binary}: cannot start: {err:#}");
            ExitCode::FAILURE
        }
    };
    telemetry.shutdown();
    code
}
