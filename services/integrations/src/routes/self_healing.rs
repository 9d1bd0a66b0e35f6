//! The admin's view of the integration's health (issue #11): the service hooks that call
//! its Webhook URL (`GET /v1/integrations/{id}/hook-health`) and creating them
//! (`POST /v1/integrations/{id}/hooks`). The PAT's expiry is a PATCH field (admin.rs).

use actix_web::{HttpResponse, get, post, web};
use diesel_async::AsyncConnection;
use navsync_ado_client::AdoError;
use navsync_platform::ApiError;
use navsync_platform::api_error::ErrorBody;
use navsync_platform::auth::CompanyAdmin;
use navsync_platform::openapi::{Forbidden, NotFound, Unauthorized};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::hook_health::{self, HookHealth};
use crate::state::{AppState, organization_of};
use crate::store::audit::{self, Action};
use crate::store::integrations::{self as rows, IntegrationChanges, IntegrationRow};

/// The routes, under `/v1/integrations`, documented as they are registered.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_hook_health).service(create_hooks);
}

/// What `POST …/hooks` made, and the health after.
#[derive(Serialize, ToSchema)]
pub struct HooksCreated {
    /// The event types subscribed now.
    pub created: Vec<String>,
    pub health: HookHealth,
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

/// What ADO says of the service hooks that call the integration's Webhook URL; an
/// answer ADO cannot give shows as status `unknown` with a reason, never as an error.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    responses(
        (status = 200, body = HookHealth),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/{id}/hook-health")]
async fn get_hook_health(
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
    metrics::counter!("hook_health_checks_total", "status" => hook_health::status_label(&health.status))
        .increment(1);
    Ok(HttpResponse::Ok().json(health))
}

/// Creates the subscriptions still missing (of updated, deleted, restored) with our URL,
/// Basic user name and the webhook secret; 403 `hooks_not_permitted` when the PAT lacks
/// the Service Hooks scopes.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    responses(
        (status = 201, body = HooksCreated),
        (status = 400, body = ErrorBody, description = "`ado_refused`: ADO refused a subscription, with its message."),
        (status = 401, response = Unauthorized),
        (status = 403, body = ErrorBody, description = "`forbidden` (not a CompanyAdmin), or `hooks_not_permitted`: the PAT may not manage service hooks."),
        (status = 404, response = NotFound),
        (status = 502, body = ErrorBody, description = "`ado_unavailable`: ADO could not be reached."),
    )
)]
#[post("/{id}/hooks")]
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
    Ok(HttpResponse::Created().json(HooksCreated {
        created,
        health: after,
    }))
}

fn not_permitted() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "hooks_not_permitted",
        "The PAT may not manage service hooks (it needs the Service Hooks read & write scopes); create them in ADO, or use a PAT that may.",
    )
}
