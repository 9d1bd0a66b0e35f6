//! Builds the action-items service: migrations, pool, broker, the HTTP server, the outbox
//! relay and the consumer of `navigator.ado-sync`; runs them until shutdown.

use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use anyhow::Context;
use navsync_contracts::queues;
use navsync_messaging::{Broker, ConsumerConfig, QueueSpec, run_consumer};
use navsync_platform::{Settings, auth::Authenticator, db, health, http_metrics, service};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::relay::Relay;
use crate::routes;
use crate::state::AppState;

pub const SERVICE: &str = "action_items";
pub const DEFAULT_PORT: u16 = 8082;

pub const MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations");

/// Outbox rows published per relay pass.
pub const RELAY_BATCH: i64 = 500;

pub struct Application {
    server: Server,
    port: u16,
    relay: Relay,
    broker: Arc<Broker>,
    pool: db::Pool,
    wake: Arc<Notify>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        http_metrics::install();
        {
            use navsync_platform::metrics_catalog::{Part, register};
            register(&[Part::Http, Part::Messaging, Part::Outbox, Part::SyncLag]);
        }
        db::migrate(&settings.database.url, SERVICE, MIGRATIONS).await?;
        let pool = db::pool(&settings.database.url, settings.database.pool_size)?;
        let broker = Broker::new(settings.amqp.url.clone(), "navsync-action-items");
        let wake = Arc::new(Notify::new());
        let state = AppState {
            pool: pool.clone(),
            relay_wake: wake.clone(),
        };
        let auth = Authenticator::new(&settings.auth.jwt_secret, settings.auth.service_token)
            .context("NAVSYNC_AUTH__JWT_SECRET")?;
        let readiness = health::Readiness::new()
            .with_database(pool.clone())
            .with_check("broker", {
                let broker = broker.clone();
                move || {
                    let broker = broker.clone();
                    async move { broker.ping().await }
                }
            });
        let openapi_json = navsync_platform::openapi::to_json(&crate::openapi::document())?;
        let (server, port) = service::http_server(&settings.http, move |cfg| {
            routes::configure(
                state.clone(),
                auth.clone(),
                readiness.clone(),
                openapi_json.clone(),
            )(cfg)
        })?;
        let relay = Relay {
            table: crate::relay::table(),
            pool: pool.clone(),
            broker: broker.clone(),
            wake: wake.clone(),
            batch_size: RELAY_BATCH,
            idle_poll: Duration::from_millis(200),
        };
        Ok(Self {
            server,
            port,
            relay,
            broker,
            pool,
            wake,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves HTTP, relays the outbox and consumes ado-sync's events until `shutdown`;
    /// then stops taking work, lets in-flight work finish and closes the broker
    /// connection (unacked messages return to their queue).
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let relay = tokio::spawn(self.relay.run(shutdown.clone()));
        let consumer = {
            let (pool, wake) = (self.pool.clone(), self.wake.clone());
            let def = queues::ACTION_ITEMS_ADO_SYNC;
            tokio::spawn(run_consumer(
                self.broker.clone(),
                ConsumerConfig {
                    spec: QueueSpec::new(def.name, def.exchange, def.bindings),
                    prefetch: 50,
                    consumer_tag: format!("action-items-{}", uuid::Uuid::new_v4().simple()),
                },
                move |message| crate::from_ado::handle(pool.clone(), wake.clone(), message),
                shutdown.clone(),
            ))
        };
        service::stop_on(&self.server, shutdown.clone());
        let served = self.server.await;
        shutdown.cancel();
        let _ = relay.await;
        let _ = consumer.await;
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
