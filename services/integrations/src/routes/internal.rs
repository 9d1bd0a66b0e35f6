//! The internal API for other navsync services, behind the service credential: read an
//! integration with its decrypted credentials, and mark one as needing attention
//! or clear that mark (`attention`).

use actix_web::{HttpResponse, get, web};
use navsync_platform::ApiError;
use navsync_platform::auth::ServiceCaller;
use navsync_platform::openapi::{NotFound, Unauthorized};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::state::AppState;
use crate::store::integrations::{self as rows, IntegrationRow};
use crate::view::InternalIntegrationView;

/// The routes, under `/internal/v1`, documented as they are registered.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_internal_integration)
        .service(get_company_integration)
        .service(crate::routes::attention::raise_attention)
        .service(crate::routes::attention::clear_attention);
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

/// The integration with its decrypted PAT and webhook secret.
#[utoipa::path(
    tag = "internal",
    security(("service_token" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    responses(
        (status = 200, body = InternalIntegrationView, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/integrations/{id}")]
async fn get_internal_integration(
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

/// A company's integration with its decrypted PAT and webhook secret.
#[utoipa::path(
    tag = "internal",
    security(("service_token" = [])),
    params(("company_id" = Uuid, Path, description = "The company's id.")),
    responses(
        (status = 200, body = InternalIntegrationView, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/companies/{company_id}/integration")]
async fn get_company_integration(
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
