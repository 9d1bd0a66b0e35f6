//! `POST /hooks/ado/{integration_id}` (SPEC §8), in this order:
//!
//! 1. authenticate (before reading the body): 401 for wrong or missing credentials, an
//!    unknown integration and an id that is not one alike — same body, same header, and
//!    the same constant-time comparison against a random digest when there is no secret;
//!    503 when `integrations` cannot be asked (our outage is never the caller's 401);
//! 2. the integration's rate limit: 503 with `Retry-After`;
//! 3. the body: at most 1 MiB (413), a JSON object (400 with serde's reason);
//! 4. a disabled integration: 200, dropped; another event type: 200, ignored; one of ours
//!    we cannot use: 200, rejected with the reason logged (ADO puts a subscription on
//!    probation for any 4xx, so a payload we merely dislike is never one);
//! 5. publish, and answer 200 only once the broker confirmed; otherwise 503 with
//!    `Retry-After`, which ADO retries.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, post, web};
use futures::StreamExt;
use navsync_platform::ApiError;
use navsync_platform::api_error::ErrorBody;
use navsync_platform::openapi::{PayloadTooLarge, string_enum};
use secrecy::SecretString;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth;
use crate::outcome::{self, Outcome, RejectReason};
use crate::payload::{self, Body, Parsed};
use crate::publish::{self, BreaksContract};
use crate::state::AppState;

/// The largest body accepted (SPEC §8).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Before the body is read, the event type is not known.
const NOT_READ: &str = "unknown";

/// What the ingress answers ADO once it has the body: 200 with what became of the event.
#[derive(Serialize, ToSchema)]
#[schema(as = WebhookAnswer)]
pub struct Answer {
    /// `accepted` (published, confirmed by the broker), `ignored` (an event type navsync
    /// does not use), `dropped` (the integration is disabled) or `rejected` (one of ours
    /// that cannot be used; the reason is logged too).
    #[schema(schema_with = answer_status_schema)]
    pub status: &'static str,
    /// The id of the published event, when `accepted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn answer_status_schema() -> utoipa::openapi::ObjectBuilder {
    string_enum(&["accepted", "ignored", "dropped", "rejected"])
}

/// An ADO service hook call (SPEC §8), authenticated with the Webhook Client Secret as
/// the Basic password.
#[utoipa::path(
    tag = "webhooks",
    security(("webhook_basic" = [])),
    params(("integration_id" = String, Path, description = "The integration's id, as in its Webhook URL.")),
    request_body(content = crate::openapi::ServiceHookEvent, description = "The event as ADO sends it (`workitem.updated`, `workitem.deleted`, `workitem.restored` are published; other types are ignored), with resource details `all` or `minimal`."),
    responses(
        (status = 200, description = "Stored (or deliberately not), so ADO need not deliver it again.", body = Answer),
        (status = 400, body = ErrorBody, description = "`invalid_json` (not a JSON object, with the reason) or `invalid_body`."),
        (status = 401, body = ErrorBody, description = "`unauthorized`: wrong or missing Basic credentials, or an unknown integration (the two are indistinguishable).",
         headers(("WWW-Authenticate" = String, description = "`Basic realm=\"navsync webhook\"`"))),
        (status = 413, response = PayloadTooLarge),
        (status = 503, description = "`integrations_unavailable`, `rate_limited` or `broker_unavailable`: not stored; ADO delivers again.", body = ErrorBody,
         headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
#[post("/hooks/ado/{integration_id}")]
pub async fn receive(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let raw_id = path.into_inner();
    let id = Uuid::parse_str(&raw_id).ok();
    let password = auth::basic_password(&req);
    let found = match (id, &password) {
        (Some(id), Some(_)) => match state.shared.directory.lookup(id).await {
            Ok(found) => found,
            Err(err) => {
                tracing::warn!(integration_id = %id, error = %err, "cannot check a webhook's credentials");
                outcome::count(Outcome::Unavailable, NOT_READ);
                return unavailable(
                    "integrations_unavailable",
                    "The webhook cannot be verified right now; try again later.",
                    state.shared.retry_after_secs,
                );
            }
        },
        _ => None,
    };
    let expected = found
        .as_ref()
        .map_or(&state.shared.unknown_secret, |i| &i.secret);
    let empty = SecretString::from(String::new());
    let matched = expected.matches(password.as_ref().unwrap_or(&empty));
    let integration = match found {
        Some(integration) if matched && password.is_some() => integration,
        found => {
            let why = match (id, &password, &found) {
                (None, _, _) => "the path holds no integration id",
                (_, None, _) => "no Basic credentials",
                (_, _, None) => "unknown integration",
                _ => "wrong secret",
            };
            // The path is the caller's text: cut it short before it goes to the log.
            let shown: String = raw_id.chars().take(64).collect();
            tracing::info!(integration_id = %shown, reason = why, "webhook refused");
            outcome::count(Outcome::Unauthorized, NOT_READ);
            return unauthorized();
        }
    };
    outcome::received(integration.id);

    if let Err(wait) = state.shared.limiter.check(integration.id) {
        outcome::count(Outcome::RateLimited, NOT_READ);
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return unavailable(
            "rate_limited",
            "Too many webhooks for this integration; try again later.",
            secs.max(1),
        );
    }

    let bytes = match read_body(&req, body).await {
        Ok(bytes) => bytes,
        Err(err) => {
            outcome::count(Outcome::Invalid, NOT_READ);
            return err.error_response();
        }
    };
    let mut rewritten = None;
    let body = match Body::read(&bytes, &mut rewritten) {
        Ok(body) => body,
        Err(err) => {
            outcome::count(Outcome::Invalid, NOT_READ);
            return ApiError::bad_request("invalid_json", err.to_string()).error_response();
        }
    };
    let event_type = payload::event_type_label(&body);
    if !integration.enabled {
        tracing::debug!(integration_id = %integration.id, event_type, "webhook of a disabled integration dropped");
        outcome::count(Outcome::Disabled, event_type);
        return ok(Answer {
            status: "dropped",
            event_id: None,
            reason: Some("The integration is disabled.".to_owned()),
        });
    }
    let notification = match payload::parse(body) {
        Parsed::Publish(notification) => *notification,
        Parsed::Ignored => {
            outcome::count(Outcome::Ignored, event_type);
            return ok(Answer {
                status: "ignored",
                event_id: None,
                reason: None,
            });
        }
        Parsed::Rejected(why, reason) => {
            return rejected(&integration.id, event_type, why, &reason);
        }
    };
    let envelope = publish::envelope(&integration, notification);
    let (event_id, work_item) = (envelope.id, envelope.data.work_item_id);
    let message = match publish::message(&envelope) {
        Ok(message) => message,
        Err(BreaksContract(reason)) => {
            return rejected(
                &integration.id,
                event_type,
                RejectReason::BreaksContract,
                &reason,
            );
        }
    };
    // The body and what was read from it go before the confirm is awaited: under load a
    // few hundred requests wait for confirms at once, and each held its 4.4 KiB body and
    // 2.2 KiB event for the milliseconds that takes.
    drop(envelope);
    drop(rewritten);
    drop(bytes);
    match publish::send(&state.publisher, message, state.shared.publish_timeout).await {
        Ok(()) => {
            tracing::debug!(
                integration_id = %integration.id,
                event_type,
                event_id = %event_id,
                work_item,
                "webhook published"
            );
            outcome::count(Outcome::Accepted, event_type);
            ok(Answer {
                status: "accepted",
                event_id: Some(event_id),
                reason: None,
            })
        }
        Err(err) => {
            tracing::warn!(integration_id = %integration.id, event_type, error = %err, "webhook not stored; ADO will deliver it again");
            outcome::count(Outcome::Unavailable, event_type);
            unavailable(
                "broker_unavailable",
                "The event could not be stored right now; try again later.",
                state.shared.retry_after_secs,
            )
        }
    }
}

/// The body, at most [`BODY_LIMIT`] bytes. A body that came in one piece (as a webhook
/// does) is that piece, not a copy; actix's own `to_bytes_limited` copied every body into
/// a fresh 32 KiB buffer.
async fn read_body(req: &HttpRequest, mut body: web::Payload) -> Result<web::Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The body is larger than {BODY_LIMIT} bytes."),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(too_large());
    }
    let mut first: Option<web::Bytes> = None;
    let mut joined: Option<web::BytesMut> = None;
    let mut read = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request("invalid_body", format!("The body could not be read: {e}"))
        })?;
        read += chunk.len();
        if read > BODY_LIMIT {
            return Err(too_large());
        }
        match (&mut joined, first.take()) {
            (Some(joined), _) => joined.extend_from_slice(&chunk),
            (None, None) => first = Some(chunk),
            (None, Some(earlier)) => {
                let expected = declared.map_or(0, |n| n as usize);
                let mut buffer = web::BytesMut::with_capacity(expected.max(read));
                buffer.extend_from_slice(&earlier);
                buffer.extend_from_slice(&chunk);
                joined = Some(buffer);
            }
        }
    }
    Ok(joined
        .map(web::BytesMut::freeze)
        .or(first)
        .unwrap_or_default())
}

fn ok(answer: Answer) -> HttpResponse {
    HttpResponse::Ok().json(answer)
}

fn rejected(
    integration: &Uuid,
    event_type: &'static str,
    why: RejectReason,
    reason: &str,
) -> HttpResponse {
    tracing::warn!(integration_id = %integration, event_type, why = why.as_str(), reason, "webhook rejected: nothing published");
    outcome::count_rejected(event_type, why);
    ok(Answer {
        status: "rejected",
        event_id: None,
        reason: Some(reason.to_owned()),
    })
}

/// The one 401 of this route, whatever the reason.
fn unauthorized() -> HttpResponse {
    let mut res = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "The webhook's Basic credentials are missing or wrong.",
    )
    .error_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"navsync webhook\""),
    );
    res
}

fn unavailable(code: &'static str, message: &'static str, retry_after_secs: u64) -> HttpResponse {
    ApiError::unavailable(code, message, retry_after_secs).error_response()
}
