//! Builds the integrations service from its settings: migrations, pool, ADO client, keys,
//! and an HTTP server bound to its own listener (port 0 in tests).

use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use anyhow::Context;
use navsync_ado_client::AdoClient;
use navsync_messaging::Broker;
use navsync_outbox::Relay;
use navsync_platform::{Settings, auth::Authenticator, db, health, http_metrics, service};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::crypto::SecretBox;
use crate::pat_watch::PatWatchSettings;
use crate::routes;
use crate::state::AppState;

pub const SERVICE: &str = "integrations";
pub const DEFAULT_PORT: u16 = 8081;

pub const MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations");

pub struct Application {
    server: Server,
    port: u16,
    relay: Relay,
    broker: Arc<Broker>,
    pat_watch: (navsync_platform::db::Pool, Arc<Notify>, PatWatchSettings),
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pat_watch = PatWatchSettings::load()?;
        Self::build_with(settings, pat_watch).await
    }

    /// [`Application::build`] with the PAT expiry check's knobs given.
    pub async fn build_with(
        settings: Settings,
        pat_watch: PatWatchSettings,
    ) -> anyhow::Result<Self> {
        http_metrics::install();
        {
            use navsync_platform::metrics_catalog::{Part, register};
            register(&[
                Part::Http,
                Part::Messaging,
                Part::Outbox,
                Part::Ado,
                Part::Integrations,
            ]);
        }
        db::migrate(&settings.database.url, SERVICE, MIGRATIONS).await?;
        let pool = db::pool(&settings.database.url, settings.database.pool_size)?;
        let ado = AdoClient::new(
            &settings.ado.base_url,
            Duration::from_millis(settings.ado.timeout_ms),
        )?;
        let secrets = SecretBox::new(
            settings.crypto.current_key()?,
            &settings.crypto.previous_keys()?,
        );
        let broker = Broker::new(settings.amqp.url.clone(), "navsync-integrations");
        let outbox_wake = Arc::new(Notify::new());
        let state = AppState {
            outbox_wake: outbox_wake.clone(),
            pool: pool.clone(),
            ado,
            secrets: Arc::new(secrets),
            webhook_base_url: settings.public.webhook_base_url.clone().into(),
        };
        let auth = Authenticator::new(&settings.auth.jwt_secret, settings.auth.service_token)
            .context("NAVSYNC_AUTH__JWT_SECRET")?;
        // Ready without the broker: changes wait in the outbox until it is back.
        let readiness = health::Readiness::new().with_database(pool.clone());

        let openapi_json = navsync_platform::openapi::to_json(&crate::openapi::document())?;
        let (server, port) = service::http_server(&settings.http, move |cfg| {
            routes::configure(
                state.clone(),
                auth.clone(),
                readiness.clone(),
                openapi_json.clone(),
            )(cfg)
        })?;
        let pat_watch = (pool.clone(), outbox_wake.clone(), pat_watch);
        let relay = Relay {
            table: crate::events::OUTBOX.clone(),
            pool,
            broker: broker.clone(),
            wake: outbox_wake,
            // Integrations change rarely; small batches keep a pass short.
            batch_size: 50,
            idle_poll: Duration::from_secs(1),
        };
        Ok(Self {
            server,
            port,
            relay,
            broker,
            pat_watch,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves and relays the outbox until `shutdown` is cancelled, then lets in-flight
    /// requests finish and closes the broker connection.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let gauge = tokio::spawn(crate::status_gauge::run(
            self.relay.pool.clone(),
            shutdown.clone(),
        ));
        let relay = tokio::spawn(self.relay.run(shutdown.clone()));
        let (pool, wake, pat_settings) = self.pat_watch;
        let pat_watch = tokio::spawn(crate::pat_watch::run(
            pool,
            wake,
            pat_settings,
            shutdown.clone(),
        ));
        service::stop_on(&self.server, shutdown.clone());
        let served = self.server.await;
        shutdown.cancel();
        let _ = relay.await;
        let _ = pat_watch.await;
        let _ = gauge.await;
        self.broker.close().await;
        served
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
