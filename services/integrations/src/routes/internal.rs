//! The internal API for other navsync services, behind the service credential: read an
//! integration with its decrypted credentials, and mark one as needing attention
//! or clear that mark (`attention`).

use actix_web::{HttpResponse, web};
use navsync_platform::ApiError;
use navsync_platform::auth::ServiceCaller;
use uuid::Uuid;

use crate::state::AppState;
use crate::store::integrations::{self as rows, IntegrationRow};
use crate::view::InternalIntegrationView;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/integrations/{id}", web::get().to(get))
        .route(
            "/companies/{company_id}/integration",
            web::get().to(get_by_company),
        )
        .route(
            "/integrations/{id}/needs-attention",
            web::post().to(crate::routes::attention::raised),
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
