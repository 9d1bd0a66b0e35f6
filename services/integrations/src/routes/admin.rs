//! The company admin's API of SPEC §5: add, read, change, reveal, rotate, audit, delete.
//! Each handler carries its OpenAPI operation (`#[utoipa::path]`): every status it
//! answers, with the error codes behind each.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use diesel_async::AsyncConnection;
use navsync_ado_client::{Organization, Pat, Project, hint_of};
use navsync_contracts::IntegrationChange;
use navsync_platform::ApiError;
use navsync_platform::api_error::ErrorBody;
use navsync_platform::auth::CompanyAdmin;
use navsync_platform::openapi::{
    Forbidden, InvalidJson, NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType,
};
use secrecy::ExposeSecret;
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::bodies::{
    AuditLog, CreateRequest, IntegrationList, ProjectList, REVEALABLE, RevealRequest, Revealed,
    Rotated, TypesQuery, UpdateRequest, WorkItemTypeList,
};
use crate::crypto::{Field, new_webhook_secret};
use crate::events;
use crate::settings_input;
use crate::state::{AppState, organization_of};
use crate::store::audit::{self, Action};
use crate::store::integrations::{self as rows, IntegrationChanges, IntegrationRow};
use crate::verify;
use crate::view::IntegrationView;

/// The routes, under `/v1/integrations`; registered through utoipa-actix-web, so each is
/// in the OpenAPI document too.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_integration)
        .service(list_integrations)
        .service(get_integration)
        .service(update_integration)
        .service(delete_integration)
        .service(reveal_secret)
        .service(rotate_webhook_secret)
        .service(list_projects)
        .service(list_work_item_types)
        .service(audit_log);
}

/// The 502 of every call that asks ADO.
const ADO_UNAVAILABLE: &str =
    "`ado_unavailable`: ADO could not be reached, timed out or failed, after a short retry.";

fn parse_organization(name: &str) -> Result<Organization, ApiError> {
    Organization::parse(name.trim())
        .map_err(|e| ApiError::unprocessable("invalid_organization", e.to_string()))
}

fn parse_pat(value: &str) -> Result<Pat, ApiError> {
    Pat::parse(value).map_err(|e| ApiError::unprocessable("invalid_pat", e.to_string()))
}

/// The project an integration starts with: the only one, when there is only one.
fn default_project(projects: &[Project]) -> Option<String> {
    match projects {
        [only] => Some(only.name.clone()),
        _ => None,
    }
}

fn integration_exists() -> ApiError {
    ApiError::conflict(
        "integration_exists",
        "This company already has an Azure DevOps integration; edit it instead.",
    )
}

/// Adds the company's integration.
///
/// The organization name and the PAT's shape are checked first (no URL can be smuggled
/// in), then both against ADO. Nothing is stored unless the answer is 201.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    request_body = CreateRequest,
    responses(
        (status = 201, description = "Verified and stored, enabled.", body = IntegrationView),
        (status = 400, body = ErrorBody, description = "`organization_not_found`, `pat_rejected` (401, or a sign-in page), `pat_insufficient_scope`; or `invalid_json` / `invalid_body`."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, body = ErrorBody, description = "`integration_exists`: the company has one; edit it instead."),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`invalid_organization`, `invalid_pat` (empty, too long or not printable ASCII), `invalid_pat_expires_at`."),
        (status = 502, body = ErrorBody, description = ADO_UNAVAILABLE),
    )
)]
#[post("")]
async fn create_integration(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    body: web::Json<CreateRequest>,
) -> Result<HttpResponse, ApiError> {
    // Shape checks first: a bad name must never reach ADO.
    let org = parse_organization(&body.organization)?;
    let pat = parse_pat(&body.pat)?;
    let pat_expires_at = body
        .pat_expires_at
        .as_deref()
        .map(|v| crate::pat_expiry::parse(v, navsync_platform::db::now()))
        .transpose()?;
    let mut conn = state.pool.get().await?;
    if rows::find_by_company(&mut conn, admin.company_id)
        .await?
        .is_some()
    {
        return Err(integration_exists());
    }
    drop(conn);

    let verified = verify::verify(&state.ado, &org, &pat).await?;

    let id = Uuid::now_v7();
    let secret = new_webhook_secret();
    let now = navsync_platform::db::now();
    let row = IntegrationRow {
        id,
        company_id: admin.company_id,
        organization: org.as_str().to_owned(),
        enabled: true,
        attention_reason: None,
        pat_ciphertext: state.secrets.encrypt(id, Field::Pat, pat.expose()),
        pat_hint: pat.hint(),
        webhook_secret_ciphertext: state.secrets.encrypt(
            id,
            Field::WebhookSecret,
            secret.expose_secret(),
        ),
        webhook_secret_hint: hint_of(secret.expose_secret()),
        project: default_project(&verified.projects),
        work_item_type: "Task".to_owned(),
        state_mapping: json!({}),
        on_action_item_deleted: "keep".to_owned(),
        last_validated_at: Some(now),
        created_at: now,
        updated_at: now,
        pat_expires_at,
        pat_expiry_warned_days: None,
        hook_status: None,
        hook_checked_at: None,
    };
    let mut conn = state.pool.get().await?;
    let actor = admin.user_id.clone();
    conn.transaction(async |conn| {
        rows::insert(conn, &row).await.map_err(|e| match e {
            rows::InsertError::CompanyHasOne => integration_exists(),
            rows::InsertError::Database(e) => ApiError::from(e),
        })?;
        let detail = json!({"organization": row.organization});
        audit::insert(
            conn,
            id,
            row.company_id,
            &actor,
            Action::Created,
            detail.clone(),
        )
        .await?;
        audit::insert(conn, id, row.company_id, &actor, Action::Validated, detail).await?;
        events::record(conn, &row, IntegrationChange::Created).await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    state.outbox_wake.notify_one();
    tracing::info!(integration_id = %id, company_id = %row.company_id, "integration created");
    Ok(HttpResponse::Created().json(state.view(row)))
}

/// The caller's company's integration, as a list of none or one.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    responses(
        (status = 200, body = IntegrationList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
#[get("")]
async fn list_integrations(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let items: Vec<_> = rows::find_by_company(&mut conn, admin.company_id)
        .await?
        .into_iter()
        .map(|row| state.view(row))
        .collect();
    Ok(HttpResponse::Ok().json(IntegrationList { items }))
}

/// The caller's integration `id`, or a 404 that says nothing about other companies.
async fn load(state: &AppState, company_id: Uuid, id: Uuid) -> Result<IntegrationRow, ApiError> {
    let mut conn = state.pool.get().await?;
    rows::find_by_id_for_company(&mut conn, id, company_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The integration"))
}

#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    responses(
        (status = 200, body = IntegrationView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/{id}")]
async fn get_integration(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(state.view(row)))
}

/// Changes any of the settings. A new organization or PAT is checked exactly as on
/// create and nothing changes when that fails; a valid new PAT clears `needs_attention`.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    request_body = UpdateRequest,
    responses(
        (status = 200, description = "The integration as changed.", body = IntegrationView),
        (status = 400, body = ErrorBody, description = "`organization_not_found`, `pat_rejected`, `pat_insufficient_scope`; or `invalid_json` / `invalid_body`."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`invalid_organization`, `invalid_pat`, `invalid_work_item_type`, `invalid_state_mapping`, `invalid_on_action_item_deleted`, `invalid_pat_expires_at`, `project_not_found`."),
        (status = 502, body = ErrorBody, description = ADO_UNAVAILABLE),
    )
)]
#[patch("/{id}")]
async fn update_integration(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
    body: web::Json<UpdateRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let body = body.into_inner();
    // Every check that needs no network comes first; then ADO; then one transaction.
    let new_org = body
        .organization
        .as_deref()
        .map(parse_organization)
        .transpose()?;
    let new_pat = body.pat.as_deref().map(parse_pat).transpose()?;
    let work_item_type = body
        .work_item_type
        .as_deref()
        .map(settings_input::work_item_type)
        .transpose()?;
    let state_mapping = body
        .state_mapping
        .as_ref()
        .map(settings_input::state_mapping)
        .transpose()?;
    let on_deleted = body
        .on_action_item_deleted
        .as_deref()
        .map(settings_input::on_action_item_deleted)
        .transpose()?;

    let pat_expires_at = body
        .pat_expires_at
        .as_ref()
        .map(|v| {
            v.as_deref()
                .map(|v| crate::pat_expiry::parse(v, navsync_platform::db::now()))
                .transpose()
        })
        .transpose()?;

    let current = load(&state, admin.company_id, id).await?;
    let mut changes = IntegrationChanges::default();
    let mut actions: Vec<(Action, serde_json::Value)> = Vec::new();
    let mut announce: Vec<IntegrationChange> = Vec::new();
    let org_changed = new_org
        .as_ref()
        .is_some_and(|o| o.as_str() != current.organization);

    // Known projects, when a check or a project choice needs them.
    let mut projects: Option<Vec<Project>> = None;
    if new_org.is_some() || new_pat.is_some() {
        let org = match &new_org {
            Some(o) => o.clone(),
            None => organization_of(&current)?,
        };
        let pat = match &new_pat {
            Some(p) => p.clone(),
            None => state.pat_of(&current)?,
        };
        let verified = verify::verify(&state.ado, &org, &pat).await?;
        changes.last_validated_at = Some(navsync_platform::db::now());
        changes.attention_reason = Some(None);
        actions.push((Action::Validated, json!({"organization": org.as_str()})));
        if let Some(pat) = &new_pat {
            changes.pat_ciphertext = Some(state.secrets.encrypt(id, Field::Pat, pat.expose()));
            changes.pat_hint = Some(pat.hint());
            actions.push((Action::PatReplaced, json!({"pat_hint": pat.hint()})));
        }
        if org_changed {
            changes.organization = Some(org.as_str().to_owned());
            // A project of the old organization means nothing in the new one.
            changes.project = Some(default_project(&verified.projects));
            actions.push((
                Action::OrganizationChanged,
                json!({"from": current.organization, "to": org.as_str()}),
            ));
        }
        projects = Some(verified.projects);
        if new_pat.is_some() || org_changed {
            announce.push(IntegrationChange::CredentialsReplaced);
        } else if current.attention_reason.is_some() {
            announce.push(IntegrationChange::AttentionCleared);
        }
    }

    if let Some(project) = body.project {
        changes.project = Some(match project {
            None => None,
            Some(wanted) => {
                let known = match projects.take() {
                    Some(p) => p,
                    None => {
                        let org = organization_of(&current)?;
                        let pat = state.pat_of(&current)?;
                        verify::list_projects(&state.ado, &org, &pat).await?
                    }
                };
                let found = known
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(wanted.trim()) || p.id == wanted.trim())
                    .ok_or_else(|| {
                        ApiError::unprocessable(
                            "project_not_found",
                            "The organization has no project of that name or id.",
                        )
                    })?;
                Some(found.name.clone())
            }
        });
    }
    let mut settings_changed = serde_json::Map::new();
    if let Some(v) = work_item_type {
        settings_changed.insert("work_item_type".into(), json!(v));
        changes.work_item_type = Some(v);
    }
    if let Some(v) = state_mapping {
        settings_changed.insert("state_mapping".into(), v.clone());
        changes.state_mapping = Some(v);
    }
    if let Some(v) = on_deleted {
        settings_changed.insert("on_action_item_deleted".into(), json!(v));
        changes.on_action_item_deleted = Some(v);
    }
    if let Some(Some(p)) = &changes.project {
        settings_changed.insert("project".into(), json!(p));
    }
    if new_pat.is_some() || pat_expires_at.is_some() {
        // A new PAT has its own expiry (unknown unless given); a new date re-arms the
        // warnings.
        let expires = pat_expires_at.flatten();
        if pat_expires_at.is_some() || current.pat_expires_at.is_some() {
            settings_changed.insert("pat_expires_at".into(), json!(expires));
        }
        changes.pat_expires_at = Some(expires);
        changes.pat_expiry_warned_days = Some(None);
    }
    if !settings_changed.is_empty() {
        actions.push((
            Action::SettingsChanged,
            serde_json::Value::Object(settings_changed),
        ));
        announce.push(IntegrationChange::SettingsChanged);
    }
    if let Some(enabled) = body.enabled
        && enabled != current.enabled
    {
        changes.enabled = Some(enabled);
        let (action, change) = if enabled {
            (Action::Enabled, IntegrationChange::Enabled)
        } else {
            (Action::Disabled, IntegrationChange::Disabled)
        };
        actions.push((action, json!({})));
        announce.push(change);
    }
    changes.updated_at = Some(navsync_platform::db::now());

    let mut conn = state.pool.get().await?;
    let actor = admin.user_id.clone();
    let company_id = admin.company_id;
    let row = conn
        .transaction(async |conn| {
            // Deleted meanwhile: nothing to change.
            rows::find_by_id_for_update(conn, id, company_id)
                .await?
                .ok_or_else(|| ApiError::not_found("The integration"))?;
            let row = rows::update_by_id(conn, id, &changes).await?;
            for (action, detail) in actions {
                audit::insert(conn, id, company_id, &actor, action, detail).await?;
            }
            for change in announce {
                events::record(conn, &row, change).await?;
            }
            Ok::<_, ApiError>(row)
        })
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Ok().json(state.view(row)))
}

/// Shows the stored PAT or webhook secret, once; written to the audit log.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    request_body = RevealRequest,
    responses(
        (status = 200, body = Revealed, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, response = InvalidJson),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`invalid_field`: field is neither `pat` nor `webhook_secret`."),
    )
)]
#[post("/{id}/reveal")]
async fn reveal_secret(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
    body: web::Json<RevealRequest>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    let value = match body.field.as_str() {
        f if f == REVEALABLE[0] => state.pat_of(&row)?.expose().to_owned(),
        f if f == REVEALABLE[1] => state.webhook_secret_of(&row)?,
        _ => {
            return Err(ApiError::unprocessable(
                "invalid_field",
                "field must be pat or webhook_secret.",
            ));
        }
    };
    let mut conn = state.pool.get().await?;
    audit::insert(
        &mut conn,
        row.id,
        row.company_id,
        &admin.user_id,
        Action::Revealed,
        json!({"field": body.field}),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Revealed { value }))
}

/// Replaces the webhook secret and shows the new one, once: ADO's service hooks need it.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    responses(
        (status = 200, body = Rotated, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[post("/{id}/webhook-secret/rotate")]
async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let secret = new_webhook_secret();
    let changes = IntegrationChanges {
        webhook_secret_ciphertext: Some(state.secrets.encrypt(
            id,
            Field::WebhookSecret,
            secret.expose_secret(),
        )),
        webhook_secret_hint: Some(hint_of(secret.expose_secret())),
        updated_at: Some(navsync_platform::db::now()),
        ..IntegrationChanges::default()
    };
    let mut conn = state.pool.get().await?;
    let (actor, company_id) = (admin.user_id.clone(), admin.company_id);
    let row = conn
        .transaction(async |conn| {
            rows::find_by_id_for_update(conn, id, company_id)
                .await?
                .ok_or_else(|| ApiError::not_found("The integration"))?;
            let row = rows::update_by_id(conn, id, &changes).await?;
            let detail = json!({"webhook_secret_hint": row.webhook_secret_hint});
            audit::insert(conn, id, company_id, &actor, Action::Rotated, detail).await?;
            events::record(conn, &row, IntegrationChange::WebhookSecretRotated).await?;
            Ok::<_, ApiError>(row)
        })
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Rotated {
            value: secret.expose_secret().to_owned(),
            integration: state.view(row),
        }))
}

/// The organization's projects, read from ADO with the stored PAT.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    responses(
        (status = 200, body = ProjectList),
        (status = 400, body = ErrorBody, description = "`pat_rejected`, `pat_insufficient_scope`, `organization_not_found`: ADO refuses the stored credentials."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 502, body = ErrorBody, description = ADO_UNAVAILABLE),
    )
)]
#[get("/{id}/projects")]
async fn list_projects(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    let org = organization_of(&row)?;
    let pat = state.pat_of(&row)?;
    let items = verify::list_projects(&state.ado, &org, &pat).await?;
    Ok(HttpResponse::Ok().json(ProjectList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// The work item types a project offers, for the admin page's type picker.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id."), TypesQuery),
    responses(
        (status = 200, body = WorkItemTypeList),
        (status = 400, body = ErrorBody, description = "`invalid_query`; or `pat_rejected`, `pat_insufficient_scope`, `organization_not_found`: ADO refuses the stored credentials."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, body = ErrorBody, description = "`invalid_project`, `project_required` (no project chosen yet and none named), `project_not_found`."),
        (status = 502, body = ErrorBody, description = ADO_UNAVAILABLE),
    )
)]
#[get("/{id}/work-item-types")]
async fn list_work_item_types(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
    query: web::Query<TypesQuery>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    let project = match query.into_inner().project {
        Some(p) => settings_input::project_name(&p)?,
        None => row.project.clone().ok_or_else(|| {
            ApiError::unprocessable(
                "project_required",
                "The integration has no project yet: choose one, or name it in ?project=.",
            )
        })?,
    };
    let org = organization_of(&row)?;
    let pat = state.pat_of(&row)?;
    let items = verify::list_work_item_types(&state.ado, &org, &pat, &project).await?;
    Ok(HttpResponse::Ok().json(WorkItemTypeList {
        project,
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Who did what and when: created, validated, revealed, rotated, enabled, disabled, PAT
/// replaced, needs attention, … (the latest 500).
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    responses(
        (status = 200, body = AuditLog),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/{id}/audit")]
async fn audit_log(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    // The integration must still be the caller's to read its log.
    load(&state, admin.company_id, id).await?;
    let mut conn = state.pool.get().await?;
    let items = audit::list_by_integration(&mut conn, id, admin.company_id, 500).await?;
    Ok(HttpResponse::Ok().json(AuditLog { items }))
}

/// Deletes the integration: sync stops and the stored credentials are destroyed.
#[utoipa::path(
    tag = "integrations",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The integration's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[delete("/{id}")]
async fn delete_integration(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let mut conn = state.pool.get().await?;
    let (actor, company_id) = (admin.user_id.clone(), admin.company_id);
    conn.transaction(async |conn| {
        let row = rows::find_by_id_for_update(conn, id, company_id)
            .await?
            .ok_or_else(|| ApiError::not_found("The integration"))?;
        // Deleting the row destroys the only copy of the encrypted credentials.
        rows::delete_by_id(conn, id).await?;
        let detail = json!({"organization": row.organization});
        audit::insert(conn, id, company_id, &actor, Action::Deleted, detail).await?;
        events::record(conn, &row, IntegrationChange::Deleted).await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
