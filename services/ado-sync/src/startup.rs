//! Builds the ado-sync worker: migrations, pool, broker, ADO client, the two consumers,
//! the resumer of parked work, and an HTTP server for health and metrics, its OpenAPI
//! document and the internal dead-letter API (`routes`).

use std::sync::Arc;
use std::time::Duration;

use actix_web::{dev::Server, web};
use navsync_ado_client::AdoClient;
use navsync_contracts::queues;
use navsync_messaging::{Broker, ConsumerConfig, Publisher, QueueSpec, run_consumer, topology};
use navsync_platform::{Settings, auth::Authenticator, db, health, http_metrics, service};
use tokio_util::sync::CancellationToken;

use crate::admission::Admissions;
use crate::dead_letters::DeadLetters;
use crate::directory::Directory;
use crate::gate::Gates;
use crate::heal_settings::HealSettings;
use crate::metadata::Metadata;
use crate::worker::Worker;

pub const SERVICE: &str = "ado_sync";
pub const DEFAULT_PORT: u16 = 8084;

/// Action items of one organization handled at once, per ADO call it may have in flight:
/// while some wait for ADO, the others do their database and broker work, so the
/// organization's ADO slots stay busy without one organization holding every handler.
const HANDLERS_PER_ADO_SLOT: usize = 2;

/// The inbound queue's prefetch. Its handlers are not admitted per organization (a hook
/// event is handled in a few milliseconds and rarely calls ADO), so its concurrency stays
/// near what the database pool serves rather than following `NAVSYNC_SYNC__PREFETCH`.
const INBOUND_PREFETCH: u16 = 32;

pub const MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations");

pub struct Application {
    server: Server,
    port: u16,
    worker: Arc<Worker>,
    broker: Arc<Broker>,
    prefetch: u16,
    resume_interval: Duration,
    heal: HealSettings,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let heal = HealSettings::load()?;
        Self::build_with(settings, heal).await
    }

    /// [`Application::build`] with the self-healing knobs given (tests pass their own).
    pub async fn build_with(settings: Settings, heal: HealSettings) -> anyhow::Result<Self> {
        http_metrics::install();
        {
            use navsync_platform::metrics_catalog::{Part, register};
            register(&[
                Part::Http,
                Part::Messaging,
                Part::Ado,
                Part::Sync,
                Part::DeadLetters,
            ]);
            crate::dead_letters::register_metrics();
        }
        db::migrate(&settings.database.url, SERVICE, MIGRATIONS).await?;
        let pool = db::pool(&settings.database.url, settings.database.pool_size)?;
        let broker = Broker::new(settings.amqp.url.clone(), "navsync-ado-sync");
        let ado = AdoClient::new(
            &settings.ado.base_url,
            Duration::from_millis(settings.ado.timeout_ms),
        )?;
        let directory = Directory::new(
            &settings.integrations.url,
            settings.auth.service_token.clone(),
            Duration::from_millis(settings.sync.directory_ttl_ms),
        )?;
        let worker = Arc::new(Worker {
            pool: pool.clone(),
            ado,
            gates: Gates::new(settings.sync.max_in_flight_per_org),
            admissions: Admissions::new(
                settings
                    .sync
                    .max_in_flight_per_org
                    .saturating_mul(HANDLERS_PER_ADO_SLOT),
            ),
            metadata: Metadata::default(),
            directory,
            publisher: Publisher::new(broker.clone()),
            navigator_url: settings.public.navigator_url.clone(),
            lease: Duration::from_secs(settings.sync.lease_secs.max(1)),
        });
        let readiness = health::Readiness::new()
            .with_database(pool)
            .with_check("broker", {
                let broker = broker.clone();
                move || {
                    let broker = broker.clone();
                    async move { broker.ping().await }
                }
            });
        let auth = Authenticator::new(
            &settings.auth.jwt_secret,
            settings.auth.service_token.clone(),
        )?;
        let dead_letters = web::Data::new(DeadLetters {
            pool: worker.pool.clone(),
            broker: broker.clone(),
            publisher: Publisher::new(broker.clone()),
        });
        let openapi_json = navsync_platform::openapi::to_json(&crate::openapi::document())?;
        let (server, port) = service::http_server(&settings.http, move |cfg| {
            crate::routes::configure(
                auth.clone(),
                dead_letters.clone(),
                readiness.clone(),
                openapi_json.clone(),
            )(cfg)
        })?;
        Ok(Self {
            server,
            port,
            worker,
            broker,
            prefetch: settings.sync.prefetch,
            resume_interval: Duration::from_millis(settings.sync.resume_interval_ms),
            heal,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Consumes both queues and resumes parked work until `shutdown`; then stops taking
    /// messages, lets handlers finish, and closes the broker connection (anything unacked
    /// returns to its queue).
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let broker = self.broker.clone();
        let declare = {
            let (broker, shutdown) = (broker.clone(), shutdown.clone());
            async move {
                let mut backoff = Duration::from_millis(100);
                while let Err(err) = topology::declare_navsync(&broker).await {
                    tracing::warn!(error = %err, "cannot declare the topology yet");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        };
        declare.await;
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let outbound = {
            let worker = self.worker.clone();
            tokio::spawn(run_consumer(
                broker.clone(),
                ConsumerConfig {
                    spec: QueueSpec::from(queues::ADO_SYNC_ACTION_ITEMS),
                    prefetch: self.prefetch,
                    consumer_tag: format!("ado-sync-out-{tag}"),
                },
                move |m| crate::outbound::handle(worker.clone(), m),
                shutdown.clone(),
            ))
        };
        let edits = {
            let worker = self.worker.clone();
            tokio::spawn(run_consumer(
                broker.clone(),
                ConsumerConfig {
                    spec: QueueSpec::from(queues::ADO_SYNC_ACTION_ITEM_EDITS),
                    prefetch: self.prefetch,
                    consumer_tag: format!("ado-sync-edits-{tag}"),
                },
                move |m| crate::outbound::handle(worker.clone(), m),
                shutdown.clone(),
            ))
        };
        let inbound = {
            let worker = self.worker.clone();
            tokio::spawn(run_consumer(
                broker.clone(),
                ConsumerConfig {
                    spec: QueueSpec::from(queues::ADO_SYNC_ADO_INBOUND),
                    prefetch: INBOUND_PREFETCH,
                    consumer_tag: format!("ado-sync-in-{tag}"),
                },
                move |m| crate::inbound::handle(worker.clone(), m),
                shutdown.clone(),
            ))
        };
        let resume = Arc::new(tokio::sync::Notify::new());
        let changes = tokio::spawn(crate::changes::run(
            broker.clone(),
            self.worker.clone(),
            resume.clone(),
            shutdown.clone(),
        ));
        let resumer = tokio::spawn(crate::resume::run(
            self.worker.clone(),
            resume,
            self.resume_interval,
            shutdown.clone(),
        ));
        let reconciler = tokio::spawn(crate::reconciler::run(
            self.worker.clone(),
            self.heal.reconciler.clone(),
            shutdown.clone(),
        ));
        let hook_watch = tokio::spawn(crate::hook_watch::run(
            self.worker.clone(),
            self.heal.hook_watch.clone(),
            shutdown.clone(),
        ));
        service::stop_on(&self.server, shutdown.clone());
        let served = self.server.await;
        shutdown.cancel();
        let _ = outbound.await;
        let _ = edits.await;
        let _ = inbound.await;
        let _ = resumer.await;
        let _ = changes.await;
        let _ = reconciler.await;
        let _ = hook_watch.await;
        broker.close().await;
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
