//! `GET /healthz` (the process is alive), `GET /readyz` (its dependencies answer) and
//! `GET /metrics` (Prometheus text), the same on every service.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use futures::future::BoxFuture;
use serde_json::json;

type Check = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// The named dependency checks behind `/readyz`.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<(&'static str, Check)>,
}

impl Readiness {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_check<F, Fut>(mut self, name: &'static str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
    {
        self.checks.push((
            name,
            Arc::new(move || Box::pin(check()) as BoxFuture<'static, _>),
        ));
        self
    }

    pub fn with_database(self, pool: crate::db::Pool) -> Self {
        self.with_check("database", move || {
            let pool = pool.clone();
            async move { crate::db::ping(&pool).await }
        })
    }

    async fn run(&self) -> (bool, serde_json::Map<String, serde_json::Value>) {
        let mut all_ok = true;
        let mut report = serde_json::Map::new();
        for (name, check) in &self.checks {
            let outcome = tokio::time::timeout(Duration::from_secs(3), check()).await;
            let ok = matches!(outcome, Ok(Ok(())));
            if !ok {
                // The reason goes to the log; the probe's answer stays terse.
                let reason = match outcome {
                    Ok(Err(e)) => e,
                    Err(_) => "timed out".to_owned(),
                    Ok(Ok(())) => String::new(),
                };
                tracing::warn!(check = name, reason, "readiness check failed");
            }
            all_ok &= ok;
            report.insert((*name).to_owned(), json!(if ok { "ok" } else { "failing" }));
        }
        (all_ok, report)
    }
}

/// Mounts the three routes.
pub fn configure(cfg: &mut web::ServiceConfig, readiness: Readiness) {
    cfg.app_data(web::Data::new(readiness))
        .route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "alive"}))
}

async fn readyz(readiness: web::Data<Readiness>) -> HttpResponse {
    let (ok, checks) = readiness.run().await;
    let body = json!({"status": if ok { "ready" } else { "not_ready" }, "checks": checks});
    if ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::http_metrics::render())
}
