//! Builds the integrations service from its settings: migrations, pool, ADO client, keys,
//! and an HTTP server bound to its own listener (port 0 in tests).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, dev::Server, middleware};
use anyhow::Context;
use navsync_ado_client::AdoClient;
use navsync_platform::{Settings, auth::Authenticator, db, health, http_metrics};
use tokio_util::sync::CancellationToken;

use crate::crypto::SecretBox;
use crate::routes;
use crate::state::AppState;

pub const SERVICE: &str = "integrations";
pub const DEFAULT_PORT: u16 = 8081;

pub const MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations");

pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        http_metrics::install();
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
        let state = AppState {
            pool: pool.clone(),
            ado,
            secrets: Arc::new(secrets),
            webhook_base_url: settings.public.webhook_base_url.clone().into(),
        };
        let auth = Authenticator::new(&settings.auth.jwt_secret, settings.auth.service_token)
            .context("NAVSYNC_AUTH__JWT_SECRET")?;
        let readiness = health::Readiness::new().with_database(pool);

        let listener = TcpListener::bind((settings.http.host.as_str(), settings.http.port))
            .with_context(|| {
                format!(
                    "cannot listen on {}:{}",
                    settings.http.host, settings.http.port
                )
            })?;
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(middleware::from_fn(http_metrics::record))
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(routes::configure(
                    state.clone(),
                    auth.clone(),
                    readiness.clone(),
                ))
        })
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(settings.http.shutdown_timeout_secs)
        .run();
        Ok(Self { server, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight requests finish.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let handle = self.server.handle();
        tokio::spawn(async move {
            shutdown.cancelled().await;
            handle.stop(true).await;
        });
        self.server.await
    }
}
