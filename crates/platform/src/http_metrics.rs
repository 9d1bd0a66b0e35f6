//! The process-wide Prometheus recorder and the HTTP request metrics every service records.
//!
//! The recorder is global (the `metrics` facade allows one per process), so it is installed
//! once, lazily; tests that start several services in one process share it.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
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
/// The method is one of HTTP's own or `other`: actix accepts any token as a method, and
/// each made-up one would otherwise be a new series (and a new span name) for ever.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
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
    let elapsed = started.elapsed().as_secs_f64();
    handles::with(method, route, status, |counter, histogram| {
        counter.increment(1);
        histogram.record(elapsed);
    });
    result
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// The counter and histogram of each (method, route, status), kept per thread (see
/// [`crate::kept_handles`]): making them anew for every request built and hashed their
/// label set twice (a dozen allocations a request). The set is bounded: fixed methods,
/// the app's route patterns, the statuses it answers.
mod handles {
    use metrics::{Counter, Histogram};

    use crate::kept_handles::Kept;

    type Key = (&'static str, String, u16);

    thread_local! {
        static KEPT: Kept<Key, (Counter, Histogram)> = const { Kept::new(256) };
    }

    pub(super) fn with(
        method: &'static str,
        route: String,
        status: u16,
        record: impl FnOnce(&Counter, &Histogram),
    ) {
        KEPT.with(|kept| {
            kept.with(
                |(m, r, s)| *s == status && *m == method && *r == route,
                || {
                    let labels = [
                        ("method", method.to_owned()),
                        ("route", route.clone()),
                        ("status", status.to_string()),
                    ];
                    let counter = metrics::counter!("http_requests_total", &labels);
                    let histogram = metrics::histogram!("http_request_duration_seconds", &labels);
                    ((method, route.clone(), status), (counter, histogram))
                },
                |(counter, histogram)| record(counter, histogram),
            );
        });
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, middleware::from_fn, test, web};

    #[actix_web::test]
    async fn a_made_up_method_is_counted_as_other_and_every_request_is_counted() {
        super::install();
        let app = test::init_service(
            App::new()
                .wrap(from_fn(super::record))
                .route("/metrics-test/{id}", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let count = || {
            super::render()
                .lines()
                .filter(|l| {
                    l.starts_with("http_requests_total{")
                        && l.contains("route=\"/metrics-test/{id}\"")
                })
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        for _ in 0..3 {
            let req = test::TestRequest::get().uri("/metrics-test/1").to_request();
            assert_eq!(test::call_service(&app, req).await.status(), 200);
        }
        // A valid HTTP token (letters only), so `from_bytes` cannot refuse it.
        let brew = actix_web::http::Method::from_bytes(b"BREW").expect("a token");
        let req = test::TestRequest::default()
            .method(brew)
            .uri("/metrics-test/2")
            .to_request();
        assert_eq!(test::call_service(&app, req).await.status(), 404);
        let lines = count();
        assert!(
            lines.iter().any(|l| l.contains("method=\"GET\"")
                && l.contains("status=\"200\"")
                && l.ends_with(" 3")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("method=\"other\"")),
            "{lines:?}"
        );
        assert!(!super::render().contains("BREW"));
    }
}
