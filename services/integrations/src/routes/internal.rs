//! The internal API for other navsync services, behind the service credential: read an
//! integration with its decrypted credentials, and mark one as needing attention.

use actix_web::{HttpResponse, web};
use diesel_async::AsyncConnection;
use navsync_contracts::IntegrationChange;
use navsync_platform::ApiError;
use navsync_platform::auth::ServiceCaller;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::events;
use crate::settings_input;
use crate::state::AppState;
use crate::store::audit::{self, Action};
use crate::store::integrations::{self as rows, IntegrationChanges, IntegrationRow};
use crate::view::InternalIntegrationView;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/integrations/{id}", web::get().to(get))
        .route(
            "/companies/{company_id}/integration",
            web::get().to(get_by_company),
        )
        .route(
            "/integrations/{id}/needs-attention",
            web::post().to(needs_attention),
        )
        .route(
            "/integrations/{id}/attention-cleared",
            web::post().to(crate::routes::attention::cleared),
        );
}

fn internal_view(state: &AppState, row: IntegrationRow) -> Result<HttpResponse, ApiError> {
    let pat = state.pat_of(&row)?.expose().to_owned();
    let webhook_secret = state.webhook_secret_of(&row)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(InternalIntegrationView {
            integration: state.view(row),
            pat,
            webhook_secret,
        }))
}

async fn get(
    state: web::Data<AppState>,
    _caller: ServiceCaller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = rows::find_by_id(&mut conn, path.into_inner())
        .await?
        .ok_or_else(|| ApiError::not_found("The integration"))?;
    internal_view(&state, row)
}

async fn get_by_company(
    state: web::Data<AppState>,
    _caller: ServiceCaller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = rows::find_by_company(&mut conn, path.into_inner())
        .await?
        .ok_or_else(|| ApiError::not_found("The company's integration"))?;
    internal_view(&state, row)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttentionRequest {
    reason: String,
    /// The service asking, for the audit log.
    #[serde(default)]
    service: Option<String>,
}

async fn needs_attention(
    state: web::Data<AppState>,
    _caller: ServiceCaller,
    path: web::Path<Uuid>,
    body: web::Json<AttentionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = settings_input::attention_reason(&body.reason)?;
    let actor = format!(
        "service:{}",
        body.service
            .as_deref()
            .and_then(|s| settings_input::attention_reason(s).ok())
            .unwrap_or_else(|| "unknown".to_owned())
    );
    let mut conn = state.pool.get().await?;
    let row = conn
        .transaction(async |conn| {
            let current = rows::find_by_id(conn, id)
                .await?
                .ok_or_else(|| ApiError::not_found("The integration"))?;
            if current.attention_reason.as_deref() == Some(reason.as_str()) {
                // Already flagged for this reason: repeated reports change nothing.
                return Ok(current);
            }
            let changes = IntegrationChanges {
                attention_reason: Some(Some(reason.clone())),
                updated_at: Some(navsync_platform::db::now()),
                ..IntegrationChanges::default()
            };
            let row = rows::update_by_id(conn, id, &changes).await?;
            let detail = json!({"reason": reason});
            audit::insert(
                conn,
                id,
                row.company_id,
                &actor,
                Action::NeedsAttention,
                detail,
            )
            .await?;
            events::record(conn, &row, IntegrationChange::NeedsAttention).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    state.outbox_wake.notify_one();
    tracing::warn!(integration_id = %id, reason = %reason, "integration needs attention");
    Ok(HttpResponse::Ok().json(state.view(row)))
}
