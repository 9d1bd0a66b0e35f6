//! The admin's view of the integration's health (issue #11): the service hooks that call
//! its Webhook URL (`GET /v1/integrations/{id}/hook-health`) and creating them
//! (`POST /v1/integrations/{id}/hooks`). The PAT's expiry is a PATCH field (admin.rs).

use actix_web::{HttpResponse, web};
use diesel_async::AsyncConnection;
use navsync_ado_client::AdoError;
use navsync_platform::ApiError;
use navsync_platform::auth::CompanyAdmin;
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use crate::hook_health;
use crate::state::{AppState, organization_of};
use crate::store::audit::{self, Action};
use crate::store::integrations::{self as rows, IntegrationChanges, IntegrationRow};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/{id}/hook-health", web::get().to(get_health))
        .route("/{id}/hooks", web::post().to(create_hooks));
}

async fn load(state: &AppState, company_id: Uuid, id: Uuid) -> Result<IntegrationRow, ApiError> {
    let mut conn = state.pool.get().await?;
    rows::find_by_id_for_company(&mut conn, id, company_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The integration"))
}

/// Remembers what ADO said, for the integration view.
async fn remember(state: &AppState, id: Uuid, status: &str) -> Result<(), ApiError> {
    let mut conn = state.pool.get().await?;
    rows::update_by_id(
        &mut conn,
        id,
        &IntegrationChanges {
            hook_status: Some(Some(status.to_owned())),
            hook_checked_at: Some(Some(navsync_platform::db::now())),
            ..IntegrationChanges::default()
        },
    )
    .await?;
    Ok(())
}

async fn get_health(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    let org = organization_of(&row)?;
    let pat = state.pat_of(&row)?;
    let webhook_url = state.view(row.clone()).webhook_url;
    let health = hook_health::check(&state.ado, &org, &pat, &webhook_url).await;
    remember(&state, row.id, &health.status).await?;
    metrics::counter!("hook_health_checks_total", "status" => health.status.clone()).increment(1);
    Ok(HttpResponse::Ok().json(health))
}

/// Creates the subscriptions still missing (of updated, deleted, restored) with our URL,
/// Basic user name and the webhook secret; 403 `hooks_not_permitted` when the PAT lacks
/// the Service Hooks scopes.
async fn create_hooks(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    let org = organization_of(&row)?;
    let pat = state.pat_of(&row)?;
    let webhook_url = state.view(row.clone()).webhook_url;
    let before = hook_health::check(&state.ado, &org, &pat, &webhook_url).await;
    if before.reason == Some("not_permitted") {
        return Err(not_permitted());
    }
    let secret = SecretString::from(state.webhook_secret_of(&row)?);
    let made = hook_health::create(
        &state.ado,
        &org,
        &pat,
        &webhook_url,
        &secret,
        &before.missing_events,
    )
    .await
    .map_err(|err| match err {
        AdoError::PatRejected | AdoError::Forbidden { .. } => not_permitted(),
        AdoError::BadRequest { message, .. } => ApiError::bad_request("ado_refused", message),
        other => {
            tracing::warn!(error = %other, "cannot create service hook subscriptions");
            ApiError::new(
                actix_web::http::StatusCode::BAD_GATEWAY,
                "ado_unavailable",
                "Azure DevOps could not be reached; try again.",
            )
        }
    })?;
    let created: Vec<String> = made.iter().map(|s| s.event_type.clone()).collect();
    let mut conn = state.pool.get().await?;
    let actor = admin.user_id.clone();
    let (id, company_id) = (row.id, row.company_id);
    conn.transaction(async |conn| {
        audit::insert(
            conn,
            id,
            company_id,
            &actor,
            Action::SettingsChanged,
            json!({"service_hooks_created": created}),
        )
        .await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    drop(conn);
    let after = hook_health::check(&state.ado, &org, &pat, &webhook_url).await;
    remember(&state, row.id, &after.status).await?;
    Ok(HttpResponse::Created().json(json!({"created": created, "health": after})))
}

fn not_permitted() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "hooks_not_permitted",
        "The PAT may not manage service hooks (it needs the Service Hooks read & write scopes); create them in ADO, or use a PAT that may.",
    )
}
