//! Builds the webhook ingress from its settings — the broker handle and its confirm
//! channel, the integration directory, the rate limiter, the HTTP server bound to its own
//! listener (port 0 in tests) — and runs it with its background work until shutdown.

use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use anyhow::Context;
use navsync_messaging::{Broker, topology};
use navsync_platform::{Settings, health, http_metrics, service};
use tokio_util::sync::CancellationToken;

use crate::auth::SecretDigest;
use crate::config::IngressSettings;
use crate::directory::Directory;
use crate::limiter::Limiter;
use crate::routes;
use crate::state::SharedState;

pub const SERVICE: &str = "webhook_ingress";
pub const DEFAULT_PORT: u16 = 8083;

pub struct Application {
    server: Server,
    port: u16,
    broker: Arc<Broker>,
    directory: Directory,
    limiter: Arc<Limiter>,
}

impl Application {
    pub async fn build(settings: Settings, ingress: IngressSettings) -> anyhow::Result<Self> {
        http_metrics::install();
        {
            use navsync_platform::metrics_catalog::{Part, register};
            register(&[Part::Http, Part::Messaging, Part::Webhooks]);
        }
        let broker = Broker::new(settings.amqp.url.clone(), "navsync-webhook-ingress");
        let directory = Directory::new(
            &settings.integrations.url,
            settings.auth.service_token.clone(),
            &ingress,
        )
        .context("the client of integrations' internal API")?;
        let limiter = Arc::new(Limiter::new(ingress.rate_per_sec, ingress.burst));
        let state = SharedState {
            directory: directory.clone(),
            broker: broker.clone(),
            limiter: limiter.clone(),
            unknown_secret: SecretDigest::random(),
            publish_timeout: Duration::from_millis(ingress.publish_timeout_ms),
            retry_after_secs: ingress.retry_after_secs,
        };
        // Only the broker: without integrations we still answer (503) and ADO retries.
        let readiness = health::Readiness::new().with_check("broker", {
            let broker = broker.clone();
            move || {
                let broker = broker.clone();
                async move { broker.ping().await }
            }
        });
        let openapi_json = navsync_platform::openapi::to_json(&crate::openapi::document())?;
        let (server, port) = service::http_server(&settings.http, move |cfg| {
            routes::configure(state.clone(), readiness.clone(), openapi_json.clone())(cfg)
        })?;
        Ok(Self {
            server,
            port,
            broker,
            directory,
            limiter,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves webhooks until `shutdown`; meanwhile declares the topology (retrying while
    /// the broker is away), listens for integration changes and prunes idle rate-limit
    /// buckets. On shutdown it stops taking requests, lets in-flight ones finish (each
    /// waits for its confirm), then closes the broker connection.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let declarer = tokio::spawn(declare_topology(self.broker.clone(), shutdown.clone()));
        let changes = tokio::spawn(crate::changes::run(
            self.broker.clone(),
            self.directory.clone(),
            shutdown.clone(),
        ));
        let pruner = tokio::spawn(prune(self.limiter.clone(), shutdown.clone()));
        service::stop_on(&self.server, shutdown.clone());
        let served = self.server.await;
        shutdown.cancel();
        let _ = declarer.await;
        let _ = changes.await;
        let _ = pruner.await;
        self.broker.close().await;
        served
    }
}

/// Declares every exchange and durable queue, so that our events wait in
/// `ado-sync.ado-inbound` even before ado-sync first starts. Until it succeeds, publishes
/// fail and webhooks are answered 503 (ADO retries).
async fn declare_topology(broker: Arc<Broker>, shutdown: CancellationToken) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match topology::declare_navsync(&broker).await {
            Ok(()) => return,
            Err(err) => {
                tracing::warn!(error = %err, "cannot declare the topology yet");
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

async fn prune(limiter: Arc<Limiter>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(60)) => limiter.forget_idle(),
        }
    }
}

impl service::Service for Application {
    fn port(&self) -> u16 {
        Application::port(self)
    }

    fn run_until_stopped(
        self,
        shutdown: CancellationToken,
    ) -> impl std::future::Future<Output = std::io::Result<()>> + Send {
        Application::run_until_stopped(self, shutdown)
    }
}
