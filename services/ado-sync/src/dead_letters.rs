//! The internal dead-letter API (behind the service credential), served by ado-sync for
//! every durable queue of navsync (`navsync_contracts::queues::ALL`, whichever service
//! consumes it — they share one broker):
//!
//! - `GET  /internal/v1/dead-letters/{queue}` → `{"queue", "items": [{position,
//!   message_id, routing_key, exchange, reason, retry_count, size}]}`: what
//!   `<queue>.dlq` holds, in order, without removing anything;
//! - `POST /internal/v1/dead-letters/{queue}/redrive` with `{"message_id"?,
//!   "reason_contains"?, "routing_key"?, "all"?, "actor"?}` → `{"redriven": [...]}`: back
//!   to `<queue>` with a fresh retry ladder;
//! - `POST /internal/v1/dead-letters/{queue}/discard` with the same body → `{"discarded":
//!   [...]}`: gone from the broker, kept in `ado_sync.dead_letter_audit` (with its body);
//! - `GET  /internal/v1/dead-letters/{queue}/audit` → the latest audit rows.
//!
//! A re-drive or discard needs a filter or `"all": true`, so an empty body never empties a
//! queue. Re-drives are audited too. One walk of a queue at a time (an advisory lock per
//! queue): a second gets 409 `dead_letters_busy`. The `navsync-dlq` binary (`make dlq`)
//! calls this API. Each handler carries its OpenAPI operation (`crate::openapi`).

use std::sync::Arc;

use actix_web::{HttpResponse, get, post, web};
use navsync_contracts::queues;
use navsync_messaging::redrive::{self, Action, DeadLetter, Filter};
use navsync_messaging::{Broker, Publisher};
use navsync_platform::ApiError;
use navsync_platform::api_error::ErrorBody;
use navsync_platform::auth::ServiceCaller;
use navsync_platform::db::Pool;
use navsync_platform::openapi::{
    InvalidJson, PayloadTooLarge, Unauthorized, UnsupportedMediaType, string_enum,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::store::dead_letter_audit::{self, AuditRow, NewAuditRow};
use navsync_platform::singleton;

/// What the routes need.
pub struct DeadLetters {
    pub pool: Pool,
    pub broker: Arc<Broker>,
    pub publisher: Publisher,
}

/// Creates `dead_letters_total` at 0 for every queue the API serves, so an alert or a
/// dashboard reading `increase(...)` sees a series before the first re-drive or discard.
pub fn register_metrics() {
    for queue in queues::ALL {
        for action in ["redriven", "discarded"] {
            metrics::counter!("dead_letters_total", "queue" => queue.name, "action" => action)
                .increment(0);
        }
    }
}

/// The routes, under `/internal/v1`; registered through utoipa-actix-web, so each is in
/// the OpenAPI document too.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_dead_letters)
        .service(dead_letter_audit_log)
        .service(redrive_dead_letters)
        .service(discard_dead_letters);
}

/// The queue path parameter: the name of one of navsync's durable queues.
struct QueueName;

impl utoipa::PartialSchema for QueueName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        let names: Vec<&str> = queues::ALL.iter().map(|q| q.name).collect();
        string_enum(&names).into()
    }
}

impl ToSchema for QueueName {}

/// A dead letter, without its body.
#[derive(Serialize, ToSchema)]
#[schema(as = DeadLetter)]
struct Item {
    position: usize,
    message_id: Option<String>,
    exchange: String,
    routing_key: String,
    reason: Option<String>,
    retry_count: u32,
    size: usize,
}

impl From<DeadLetter> for Item {
    fn from(d: DeadLetter) -> Self {
        Self {
            position: d.position,
            message_id: d.message_id,
            exchange: d.exchange,
            routing_key: d.routing_key,
            reason: d.reason,
            retry_count: d.retry_count,
            size: d.size,
        }
    }
}

/// Which dead letters: any of the filters, or `"all": true`.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct Selection {
    #[serde(default)]
    message_id: Option<String>,
    #[serde(default)]
    reason_contains: Option<String>,
    #[serde(default)]
    routing_key: Option<String>,
    #[serde(default)]
    all: bool,
    /// Who asks, for the audit rows (an operator's name; `operator` when absent).
    #[serde(default)]
    actor: Option<String>,
    /// At most this many (default: no limit beyond the queue's length).
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
struct DeadLetterList {
    queue: &'static str,
    /// What `<queue>.dlq` holds, in order.
    items: Vec<Item>,
}

#[derive(Serialize, ToSchema)]
struct Redriven {
    queue: &'static str,
    /// Sent back to the queue, with a fresh retry ladder.
    redriven: Vec<Item>,
}

#[derive(Serialize, ToSchema)]
struct Discarded {
    queue: &'static str,
    /// Gone from the broker, kept in the audit log with their bodies.
    discarded: Vec<Item>,
}

#[derive(Serialize, ToSchema)]
struct DeadLetterAudit {
    queue: &'static str,
    /// The latest 100, newest first.
    items: Vec<AuditRow>,
}

/// Only navsync's own durable queues: the API never touches an arbitrary queue.
fn known_queue(name: &str) -> Result<&'static str, ApiError> {
    queues::ALL
        .iter()
        .map(|q| q.name)
        .find(|q| *q == name)
        .ok_or_else(|| ApiError::not_found("The queue"))
}

async fn walk(
    state: &DeadLetters,
    queue: &'static str,
    selection: Selection,
    action: Action,
) -> Result<redrive::Walked, ApiError> {
    let filter = Filter {
        message_id: selection.message_id.filter(|s| !s.is_empty()),
        reason_contains: selection.reason_contains.filter(|s| !s.is_empty()),
        routing_key: selection.routing_key.filter(|s| !s.is_empty()),
    };
    if action != Action::List && filter.is_empty() && !selection.all {
        return Err(ApiError::unprocessable(
            "selection_required",
            "Name a message_id, reason_contains or routing_key, or say \"all\": true.",
        ));
    }
    let actor: String = selection
        .actor
        .as_deref()
        .map(|a| a.chars().filter(|c| !c.is_control()).take(100).collect())
        .filter(|a: &String| !a.trim().is_empty())
        .unwrap_or_else(|| "operator".to_owned());
    let lock = singleton::try_lock(&state.pool, &format!("dead-letters:{queue}"))
        .await
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?
        .ok_or_else(|| {
            ApiError::conflict(
                "dead_letters_busy",
                "Another operator is working on this queue's dead letters; try again shortly.",
            )
        })?;
    let label = match action {
        Action::Redrive => "redriven",
        _ => "discarded",
    };
    let pool = state.pool.clone();
    let mut audit = move |dead: DeadLetter, body: Vec<u8>| {
        let pool = pool.clone();
        let actor = actor.clone();
        Box::pin(async move {
            let mut conn = pool.get().await.map_err(|e| e.to_string())?;
            dead_letter_audit::insert(
                &mut conn,
                &NewAuditRow {
                    queue,
                    action: label,
                    message_id: dead.message_id.as_deref(),
                    routing_key: &dead.routing_key,
                    reason: dead.reason.as_deref(),
                    actor: &actor,
                    body: (action == Action::Discard).then_some(body.as_slice()),
                },
            )
            .await
            .map_err(|e| e.to_string())
        }) as futures::future::BoxFuture<'static, Result<(), String>>
    };
    let walked = redrive::walk(
        &state.broker,
        &state.publisher,
        queue,
        &filter,
        action,
        selection.limit.unwrap_or(usize::MAX),
        &mut audit,
    )
    .await;
    lock.release().await;
    walked.map_err(|e| ApiError::unavailable("broker_unavailable", e.to_string(), 5))
}

/// What the queue's `.dlq` holds, in order, without removing anything.
#[utoipa::path(
    tag = "dead-letters",
    security(("service_token" = [])),
    params(("queue" = inline(QueueName), Path, description = "A durable queue of navsync.")),
    responses(
        (status = 200, body = DeadLetterList),
        (status = 401, response = Unauthorized),
        (status = 404, body = ErrorBody, description = "`not_found`: not one of navsync's queues."),
        (status = 409, body = ErrorBody, description = "`dead_letters_busy`: another walk of this queue is under way."),
        (status = 503, response = BrokerUnavailable),
    )
)]
#[get("/dead-letters/{queue}")]
async fn list_dead_letters(
    state: web::Data<DeadLetters>,
    _caller: ServiceCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let queue = known_queue(&path.into_inner())?;
    let walked = walk(&state, queue, Selection::default(), Action::List).await?;
    let items: Vec<Item> = walked.seen.into_iter().map(Item::from).collect();
    Ok(HttpResponse::Ok().json(DeadLetterList { queue, items }))
}

/// Sends the selected dead letters back to their queue, audited.
#[utoipa::path(
    tag = "dead-letters",
    security(("service_token" = [])),
    params(("queue" = inline(QueueName), Path, description = "A durable queue of navsync.")),
    request_body = Selection,
    responses(
        (status = 200, body = Redriven),
        (status = 400, response = InvalidJson),
        (status = 401, response = Unauthorized),
        (status = 404, body = ErrorBody, description = "`not_found`: not one of navsync's queues."),
        (status = 409, body = ErrorBody, description = "`dead_letters_busy`: another walk of this queue is under way."),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`selection_required`: no filter and no `\"all\": true`."),
        (status = 503, response = BrokerUnavailable),
    )
)]
#[post("/dead-letters/{queue}/redrive")]
async fn redrive_dead_letters(
    state: web::Data<DeadLetters>,
    _caller: ServiceCaller,
    path: web::Path<String>,
    body: web::Json<Selection>,
) -> Result<HttpResponse, ApiError> {
    let queue = known_queue(&path.into_inner())?;
    let walked = walk(&state, queue, body.into_inner(), Action::Redrive).await?;
    let items: Vec<Item> = walked.acted.into_iter().map(Item::from).collect();
    tracing::info!(queue, count = items.len(), "dead letters re-driven");
    Ok(HttpResponse::Ok().json(Redriven {
        queue,
        redriven: items,
    }))
}

/// Removes the selected dead letters from the broker, keeping each in the audit log.
#[utoipa::path(
    tag = "dead-letters",
    security(("service_token" = [])),
    params(("queue" = inline(QueueName), Path, description = "A durable queue of navsync.")),
    request_body = Selection,
    responses(
        (status = 200, body = Discarded),
        (status = 400, response = InvalidJson),
        (status = 401, response = Unauthorized),
        (status = 404, body = ErrorBody, description = "`not_found`: not one of navsync's queues."),
        (status = 409, body = ErrorBody, description = "`dead_letters_busy`: another walk of this queue is under way."),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`selection_required`: no filter and no `\"all\": true`."),
        (status = 503, response = BrokerUnavailable),
    )
)]
#[post("/dead-letters/{queue}/discard")]
async fn discard_dead_letters(
    state: web::Data<DeadLetters>,
    _caller: ServiceCaller,
    path: web::Path<String>,
    body: web::Json<Selection>,
) -> Result<HttpResponse, ApiError> {
    let queue = known_queue(&path.into_inner())?;
    let walked = walk(&state, queue, body.into_inner(), Action::Discard).await?;
    let items: Vec<Item> = walked.acted.into_iter().map(Item::from).collect();
    tracing::warn!(queue, count = items.len(), "dead letters discarded");
    Ok(HttpResponse::Ok().json(Discarded {
        queue,
        discarded: items,
    }))
}

/// What operators did to the queue's dead letters.
#[utoipa::path(
    tag = "dead-letters",
    security(("service_token" = [])),
    params(("queue" = inline(QueueName), Path, description = "A durable queue of navsync.")),
    responses(
        (status = 200, body = DeadLetterAudit),
        (status = 401, response = Unauthorized),
        (status = 404, body = ErrorBody, description = "`not_found`: not one of navsync's queues."),
    )
)]
#[get("/dead-letters/{queue}/audit")]
async fn dead_letter_audit_log(
    state: web::Data<DeadLetters>,
    _caller: ServiceCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let queue = known_queue(&path.into_inner())?;
    let mut conn = state.pool.get().await?;
    let rows = dead_letter_audit::list_by_queue(&mut conn, queue, 100).await?;
    Ok(HttpResponse::Ok().json(DeadLetterAudit { queue, items: rows }))
}

/// 503 `broker_unavailable` with `Retry-After`: the queue could not be walked.
pub(crate) struct BrokerUnavailable;

impl<'s> utoipa::ToResponse<'s> for BrokerUnavailable {
    fn response() -> (
        &'s str,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    ) {
        (
            "BrokerUnavailable",
            navsync_platform::openapi::retry_after_response(
                "`broker_unavailable`: the queue could not be walked; try again after `Retry-After` seconds.",
            )
            .into(),
        )
    }
}
