//! What every service's `main` and startup share: the HTTP server bound to its own
//! listener (port 0 in tests) with the request metrics and logs, stopping it on the
//! shutdown token, and the whole of `main` — telemetry, build, serve until SIGTERM, flush.

use std::future::Future;
use std::net::ToSocketAddrs;
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

/// Connections waiting to be accepted, at most. std's `TcpListener::bind` listens with
/// 128: a burst of new connections beyond that (ADO or a load balancer opening many at
/// once, wrk's 256 in the ingress benchmark) had SYNs dropped and retried a second later
/// (`TcpExtListenOverflows`), which showed as p99 latencies of 1 and 3 s.
pub const LISTEN_BACKLOG: u32 = 2048;

/// Binds `http.host:http.port` and serves `configure`'s routes with request metrics and
/// logs; answers the server and the port it got.
pub fn http_server<F>(http: &HttpSettings, configure: F) -> anyhow::Result<(Server, u16)>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let cannot = || format!("cannot listen on {}:{}", http.host, http.port);
    // The first address the host names, as std's bind takes it: one listener, one port
    // (port 0 in tests).
    let address = (http.host.as_str(), http.port)
        .to_socket_addrs()
        .with_context(cannot)?
        .next()
        .with_context(cannot)?;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware::from_fn(http_metrics::record))
            .wrap(tracing_actix_web::TracingLogger::<
                crate::trace_context::TracedRootSpan,
            >::new())
            .configure(configure.clone())
    })
    .backlog(LISTEN_BACKLOG)
    .bind(address)
    .with_context(cannot)?;
    let port = server
        .addrs()
        .first()
        .map(|a| a.port())
        .with_context(cannot)?;
    let server = server
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Connections the kernel completes for a listener nobody accepts on yet, out of
    /// `tries` opened at once: as many as its backlog holds.
    async fn handshakes_before_accept(port: u16, tries: usize) -> usize {
        let connects = (0..tries).map(|_| {
            tokio::time::timeout(
                Duration::from_millis(500),
                tokio::net::TcpStream::connect(("127.0.0.1", port)),
            )
        });
        futures::future::join_all(connects)
            .await
            .into_iter()
            .filter(|c| matches!(c, Ok(Ok(_))))
            .count()
    }

    #[tokio::test]
    async fn a_burst_of_new_connections_beyond_128_is_queued_not_dropped() {
        let http = HttpSettings {
            host: "127.0.0.1".into(),
            port: 0,
            shutdown_timeout_secs: 1,
        };
        // Built but not run: nothing accepts, so only the listen backlog holds them.
        let (server, port) = http_server(&http, |_| {}).expect("binds");
        let done = handshakes_before_accept(port, 400).await;
        assert_eq!(done, 400, "a backlog of 128 (std's) completes only ~129");
        drop(server);
    }
}
