//! `POST /internal/v1/integrations/{id}/needs-attention` and `.../attention-cleared`
//! (service credential): a service flags an integration for a reason (`pat_rejected`,
//! `no_webhooks`), or clears a reason it can see go away (`no_webhooks`: a webhook
//! arrived) — only when the integration is flagged for exactly that reason, so it never
//! clears what an admin must fix (a rejected PAT). Repeated reports change nothing.

use actix_web::{HttpResponse, post, web};
use diesel_async::AsyncConnection;
use navsync_contracts::IntegrationChange;
use navsync_platform::ApiError;
use navsync_platform::api_error::ErrorBody;
use navsync_platform::auth::ServiceCaller;
use navsync_platform::openapi::{
    InvalidJson, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::events;
use crate::settings_input;
use crate::state::AppState;
use crate::store::audit::{self, Action};
use crate::store::integrations::{self as rows, IntegrationChanges};
use crate::view::IntegrationView;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttentionRequest {
    /// A snake_case code such as `pat_rejected` or `no_webhooks`.
    #[schema(pattern = "^[a-z0-9_]{1,64}$")]
    reason: String,
    /// The service asking, for the audit log.
    #[serde(default)]
    service: Option<String>,
}

/// Flags the integration as needing attention for `reason`; a repeated report changes
/// nothing.
#[utoipa::path(
    tag = "internal",
    security(("service_token" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    request_body = AttentionRequest,
    responses(
        (status = 200, description = "The integration as it is now.", body = IntegrationView),
        (status = 400, response = InvalidJson),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`invalid_reason`: not a snake_case code of at most 64 characters."),
    )
)]
#[post("/integrations/{id}/needs-attention")]
pub async fn raise_attention(
    state: web::Data<AppState>,
    _caller: ServiceCaller,
    path: web::Path<Uuid>,
    body: web::Json<AttentionRequest>,
) -> Result<HttpResponse, ApiError> {
    change(&state, path.into_inner(), &body, true).await
}

/// Clears the flag, only when the integration is flagged for exactly `reason`.
#[utoipa::path(
    tag = "internal",
    security(("service_token" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    request_body = AttentionRequest,
    responses(
        (status = 200, description = "The integration as it is now.", body = IntegrationView),
        (status = 400, response = InvalidJson),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`invalid_reason`: not a snake_case code of at most 64 characters."),
    )
)]
#[post("/integrations/{id}/attention-cleared")]
pub async fn clear_attention(
    state: web::Data<AppState>,
    _caller: ServiceCaller,
    path: web::Path<Uuid>,
    body: web::Json<AttentionRequest>,
) -> Result<HttpResponse, ApiError> {
    change(&state, path.into_inner(), &body, false).await
}

/// Flags (`raise`) or clears the integration for `body.reason`, with its audit row and
/// its `integration.changed.v1`, when that changes anything.
async fn change(
    state: &AppState,
    id: Uuid,
    body: &AttentionRequest,
    raise: bool,
) -> Result<HttpResponse, ApiError> {
    let reason = settings_input::attention_reason(&body.reason)?;
    let actor = format!(
        "service:{}",
        body.service
            .as_deref()
            .and_then(|s| settings_input::attention_reason(s).ok())
            .unwrap_or_else(|| "unknown".to_owned())
    );
    let mut conn = state.pool.get().await?;
    let (row, changed) = conn
        .transaction(async |conn| {
            let current = rows::find_by_id(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("The integration"))?;
            let flagged = current.attention_reason.as_deref() == Some(reason.as_str());
            if flagged == raise {
                return Ok((current, false));
            }
            let changes = IntegrationChanges {
                attention_reason: Some(raise.then(|| reason.clone())),
                updated_at: Some(navsync_platform::db::now()),
                ..IntegrationChanges::default()
            };
            let row = rows::update_by_id(conn, id, &changes).await?;
            let (detail, event) = if raise {
                (json!({"reason": reason}), IntegrationChange::NeedsAttention)
            } else {
                (
                    json!({"reason": reason, "cleared": true}),
                    IntegrationChange::AttentionCleared,
                )
            };
            audit::insert(
                conn,
                id,
                row.company_id,
                &actor,
                Action::NeedsAttention,
                detail,
            )
            .await?;
            events::record(conn, &row, event).await?;
            Ok::<_, ApiError>((row, true))
        })
        .await?;
    if changed {
        state.outbox_wake.notify_one();
        if raise {
            tracing::warn!(integration_id = %id, reason = %reason, "integration needs attention");
        } else {
            tracing::info!(integration_id = %id, reason = %reason, "attention cleared");
        }
    }
    Ok(HttpResponse::Ok().json(state.view(row)))
}
