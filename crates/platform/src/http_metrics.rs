//! The process-wide Prometheus recorder and the HTTP request metrics every service records.
//!
//! The recorder is global (the `metrics` facade allows one per process), so it is installed
//! once, lazily; tests that start several services in one process share it.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                    60.0,
                ])
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; then we render nothing.
            metrics::set_global_recorder(recorder).ok()?;
            // Histogram samples wait in buckets until drained; drain them even when nobody
            // scrapes, so memory stays flat.
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                });
            Some(handle)
        })
        .as_ref()
}

/// Installs the recorder; call once at start, before any metric is recorded.
pub fn install() {
    let _ = handle();
}

/// The Prometheus text of every metric recorded so far.
pub fn render() -> String {
    handle().map(PrometheusHandle::render).unwrap_or_default()
}

/// Middleware: `http_requests_total` and `http_request_duration_seconds` by service,
/// method, route pattern (never the raw path, which would explode the label set) and status.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let result = next.call(req).await;
    let (route, status) = match &result {
        Ok(res) => (
            res.request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned()),
            res.status().as_u16(),
        ),
        Err(err) => (
            "unmatched".to_owned(),
            err.as_response_error().status_code().as_u16(),
        ),
    };
    // The root span ([`crate::trace_context::TracedRootSpan`]) left these to us.
    let span = tracing::Span::current();
    span.record("http.route", route.as_str());
    span.record("otel.name", format!("{method} {route}"));
    let labels = [
        ("method", method),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    result
}
