//! What happens to every request on an ADO route before and after its handler: it is
//! written to the request log (with the identity its PAT maps to, never the PAT); an
//! injected fault may delay it, answer in its place, drop its connection, or let it be
//! carried out and then fail; the configured latency holds it; the identity's rate limit
//! may refuse it with 429. Its path is matched in lowercase after `_apis`, as ADO does.
//!
//! One middleware does all of it so that every request is logged with what it got.

use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{StatusCode, Uri};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};

use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::faults::Triggered;
use crate::pat_auth::presented_pat;
use crate::rate_limit::{Arrival, Decision};
use crate::request_log::RecordedRequest;
use crate::state::Inner;

/// The resource ADO names in `X-RateLimit-Resource` for a per-user budget.
const RATE_RESOURCE: &str = "ATCPU";

pub(crate) async fn ado_request(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(emulator) = req.app_data::<web::Data<Emulator>>().cloned() else {
        // Mounted without its state: nothing to record or fault.
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let method = req.method().as_str().to_owned();
    let path = req.path().to_owned();
    let arrived = Instant::now();
    let (seq, fault, latency, decision, counted) = {
        let mut state = emulator.state().lock();
        let counted = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .filter(|org| state.org(org).is_some())
            .map(str::to_owned);
        if let Some(org) = &counted {
            state.concurrency.begin(org);
        }
        let identity = identify(&state, &path, req.headers());
        let seq = state.log.begin(RecordedRequest {
            seq: 0,
            at: chrono::Utc::now(),
            method: method.clone(),
            path: path.clone(),
            query: req.query_string().to_owned(),
            has_authorization: req.headers().contains_key(header::AUTHORIZATION),
            identity: identity.as_ref().map(|(_, unique)| unique.clone()),
            status: None,
            dropped: false,
            early: false,
            rate_limited: false,
        });
        let fault = state.faults.take(&method, &path);
        let latency = state.latency.sample();
        // A fault that answers in the request's place spends none of its budget.
        let answered_by_fault =
            fault.is_some_and(|f| !f.after_commit && (f.status.is_some() || f.drop_connection));
        let decision = match identity {
            Some((org, unique)) if !answered_by_fault => {
                let limit = state.org(&org).and_then(|o| o.rate_limit);
                limit.map(|limit| {
                    let arrival = Arrival {
                        org: &org,
                        identity: &unique,
                        method: &method,
                        path: &path,
                        now: arrived,
                        now_utc: chrono::Utc::now(),
                    };
                    let before = state.rate_limiter.early_requests_len();
                    let decision = state.rate_limiter.check(limit, &arrival);
                    if state.rate_limiter.early_requests_len() > before {
                        state.log.mark_early(seq);
                    }
                    decision
                })
            }
            _ => None,
        };
        (seq, fault, latency, decision, counted)
    };
    // In flight until this future ends, however it ends (answered, failed, or dropped
    // because the client went away).
    let _in_flight = counted.map(|org| InFlight {
        emulator: emulator.clone(),
        org,
    });

    let delay = latency + Duration::from_millis(fault.map_or(0, |f| f.delay_ms));
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    if let Some(fault) = fault
        && !fault.after_commit
        && (fault.status.is_some() || fault.drop_connection)
    {
        let answer = fail(&emulator, seq, &fault);
        return Ok(req.into_response(answer));
    }
    if let Some(Decision::Limited {
        retry_after_secs,
        limit,
        reset,
    }) = decision
    {
        let error = AdoError::rate_limited(RATE_RESOURCE)
            .with_header(header::RETRY_AFTER, retry_after_secs.to_string())
            .with_header(
                HeaderName::from_static("x-ratelimit-resource"),
                RATE_RESOURCE,
            )
            .with_header(HeaderName::from_static("x-ratelimit-delay"), "0")
            .with_header(
                HeaderName::from_static("x-ratelimit-limit"),
                limit.to_string(),
            )
            .with_header(HeaderName::from_static("x-ratelimit-remaining"), "0")
            .with_header(
                HeaderName::from_static("x-ratelimit-reset"),
                reset.to_string(),
            );
        emulator.state().lock().log.finish_rate_limited(seq);
        return Ok(req.into_response(error.error_response()));
    }

    normalize_path(&mut req);
    let result = next.call(req).await;
    let mut response = match result {
        Ok(response) => response.map_into_boxed_body(),
        Err(err) => {
            let status = err.as_response_error().status_code();
            emulator.state().lock().log.finish(seq, status.as_u16());
            return Err(err);
        }
    };
    if let Some(fault) = fault
        && fault.after_commit
    {
        // Carried out; now the answer is lost.
        let (req, _) = response.into_parts();
        let answer = fail(&emulator, seq, &fault);
        return Ok(ServiceResponse::new(req, answer));
    }
    if let Some(Decision::Allowed {
        limit,
        remaining,
        reset,
    }) = decision
    {
        let headers = response.headers_mut();
        for (name, value) in [
            ("x-ratelimit-resource", RATE_RESOURCE.to_owned()),
            ("x-ratelimit-limit", limit.to_string()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("x-ratelimit-reset", reset.to_string()),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
    emulator
        .state()
        .lock()
        .log
        .finish(seq, response.status().as_u16());
    Ok(response)
}

/// Counts a request of an organization as in flight while it lives.
struct InFlight {
    emulator: web::Data<Emulator>,
    org: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.emulator.state().lock().concurrency.end(&self.org);
    }
}

/// The answer to a faulted request: its status with ADO's error body, or a dropped
/// connection.
fn fail(emulator: &Emulator, seq: u64, fault: &Triggered) -> HttpResponse {
    if fault.drop_connection {
        emulator.state().lock().log.finish_dropped(seq);
        return dropped_connection();
    }
    let status = fault
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut error = AdoError::injected(status);
    if let Some(secs) = fault.retry_after {
        error = error.with_header(header::RETRY_AFTER, secs.to_string());
    }
    emulator
        .state()
        .lock()
        .log
        .finish(seq, error.status().as_u16());
    error.error_response()
}

/// A response whose body fails before its first byte: actix then closes the connection
/// without writing anything, and the client sees the connection end with no answer.
fn dropped_connection() -> HttpResponse {
    let failing = futures::stream::once(async {
        Err::<web::Bytes, _>(std::io::Error::other(
            "connection dropped by an injected fault",
        ))
    });
    HttpResponse::Ok().streaming(failing)
}

/// The fixed words of ADO's routes, matched in any case.
const ROUTE_WORDS: &[&str] = &[
    "_apis",
    "resourceareas",
    "connectiondata",
    "projects",
    "wit",
    "workitems",
    "workitemsbatch",
    "recyclebin",
    "wiql",
    "workitemtypes",
    "states",
    "hooks",
    "subscriptions",
];

/// Lowercases the fixed words of the path after `_apis` (`workItems`, `connectionData`),
/// so that routes match in any case, as on dev.azure.com. Names and ids keep their
/// spelling, for the messages that repeat them.
fn normalize_path(req: &mut ServiceRequest) {
    let uri = req.uri().clone();
    let path = uri.path();
    let Some(at) = path.find("/_apis/") else {
        return;
    };
    let tail: Vec<String> = path[at..]
        .split('/')
        .map(|segment| {
            let lower = segment.to_ascii_lowercase();
            if ROUTE_WORDS.contains(&lower.as_str()) {
                lower
            } else {
                segment.to_owned()
            }
        })
        .collect();
    let lowered = format!("{}{}", &path[..at], tail.join("/"));
    if lowered == path {
        return;
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{lowered}?{query}"),
        None => lowered,
    };
    let mut parts = uri.into_parts();
    let Ok(path_and_query) = path_and_query.parse() else {
        return;
    };
    parts.path_and_query = Some(path_and_query);
    if let Ok(new_uri) = Uri::from_parts(parts) {
        req.match_info_mut().get_mut().update(&new_uri);
        req.head_mut().uri = new_uri;
    }
}

/// The organization (as the path spells it) and the `unique_name` behind the request's
/// PAT, if that organization knows the PAT. For the log and the rate limit only; handlers
/// authenticate for themselves.
fn identify(state: &Inner, path: &str, headers: &HeaderMap) -> Option<(String, String)> {
    let org_name = path.trim_start_matches('/').split('/').next()?;
    let org = state.org(org_name)?;
    let token = presented_pat(headers)?;
    org.pat(&token)
        .map(|pat| (org.name.clone(), pat.identity.unique_name.clone()))
}
