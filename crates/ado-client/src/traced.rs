//! Every HTTP call to ADO in a `client` span (a child of whatever the caller is doing: the
//! consumer span of the event being synced, an HTTP request of `integrations`), with the
//! method, the path (never the query, never a header) and the status, and counted in
//! `ado_requests_total{method, status}` and `ado_request_duration_seconds{method}`.
//! `status` is the HTTP status, or `error` when no answer came (timeout, refused).

use std::time::Instant;

use reqwest::{Method, RequestBuilder, Response, Url};
use tracing::Instrument;

/// Sends `request` (a `method` call of `url`) inside its client span.
pub(crate) async fn send(
    method: &Method,
    url: &Url,
    request: RequestBuilder,
) -> Result<Response, reqwest::Error> {
    let span = tracing::info_span!(
        "ado request",
        otel.name = %format!("ADO {method}"),
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        http.request.method = %method,
        server.address = url.host_str().unwrap_or_default(),
        url.path = url.path(),
        http.response.status_code = tracing::field::Empty,
    );
    let started = Instant::now();
    let result = request.send().instrument(span.clone()).await;
    let status = match &result {
        Ok(res) => {
            let code = res.status().as_u16();
            span.record("http.response.status_code", code);
            if code >= 500 || code == 429 {
                span.record("otel.status_code", "ERROR");
            }
            code.to_string()
        }
        Err(err) => {
            span.record("otel.status_code", "ERROR");
            tracing::debug!(parent: &span, timeout = err.is_timeout(), connect = err.is_connect(), "ADO did not answer");
            "error".to_owned()
        }
    };
    metrics::counter!("ado_requests_total", "method" => method.as_str().to_owned(), "status" => status)
        .increment(1);
    metrics::histogram!("ado_request_duration_seconds", "method" => method.as_str().to_owned())
        .record(started.elapsed().as_secs_f64());
    result
}
