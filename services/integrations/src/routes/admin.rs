//! The company admin's API of SPEC §5: add, read, change, reveal, rotate, audit, delete.

use actix_web::{HttpResponse, web};
use diesel_async::AsyncConnection;
use navsync_ado_client::{Organization, Pat, Project, hint_of};
use navsync_contracts::IntegrationChange;
use navsync_platform::ApiError;
use navsync_platform::auth::CompanyAdmin;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::crypto::{Field, new_webhook_secret};
use crate::events;
use crate::settings_input;
use crate::state::{AppState, organization_of};
use crate::store::audit::{self, Action};
use crate::store::integrations::{self as rows, IntegrationChanges, IntegrationRow};
use crate::verify;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::post().to(create))
        .route("", web::get().to(list))
        .route("/{id}", web::get().to(get))
        .route("/{id}", web::patch().to(update))
        .route("/{id}", web::delete().to(delete))
        .route("/{id}/reveal", web::post().to(reveal))
        .route("/{id}/webhook-secret/rotate", web::post().to(rotate))
        .route("/{id}/projects", web::get().to(projects))
        .route("/{id}/work-item-types", web::get().to(work_item_types))
        .route("/{id}/audit", web::get().to(audit_log));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    organization: String,
    pat: String,
}

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

async fn create(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    body: web::Json<CreateRequest>,
) -> Result<HttpResponse, ApiError> {
    // Shape checks first: a bad name must never reach ADO.
    let org = parse_organization(&body.organization)?;
    let pat = parse_pat(&body.pat)?;
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
        pat_expires_at: None,
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

async fn list(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let items: Vec<_> = rows::find_by_company(&mut conn, admin.company_id)
        .await?
        .into_iter()
        .map(|row| state.view(row))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// The caller's integration `id`, or a 404 that says nothing about other companies.
async fn load(state: &AppState, company_id: Uuid, id: Uuid) -> Result<IntegrationRow, ApiError> {
    let mut conn = state.pool.get().await?;
    rows::find_by_id_for_company(&mut conn, id, company_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The integration"))
}

async fn get(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(state.view(row)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateRequest {
    organization: Option<String>,
    pat: Option<String>,
    enabled: Option<bool>,
    #[serde(default, with = "serde_with_null")]
    project: Option<Option<String>>,
    work_item_type: Option<String>,
    state_mapping: Option<serde_json::Value>,
    on_action_item_deleted: Option<String>,
    /// When the PAT expires (`YYYY-MM-DD` or RFC 3339, in the future); `null` forgets it.
    #[serde(default, with = "serde_with_null")]
    pat_expires_at: Option<Option<String>>,
}

/// Tells "absent" (leave as is) from `null` (clear) for a PATCH field.
mod serde_with_null {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

async fn update(
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevealRequest {
    field: String,
}

async fn reveal(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
    body: web::Json<RevealRequest>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    let value = match body.field.as_str() {
        "pat" => state.pat_of(&row)?.expose().to_owned(),
        "webhook_secret" => state.webhook_secret_of(&row)?,
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
        .json(json!({ "value": value })))
}

async fn rotate(
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
        .json(json!({
            "value": secret.expose_secret(),
            "integration": state.view(row),
        })))
}

async fn projects(
    state: web::Data<AppState>,
    CompanyAdmin(admin): CompanyAdmin,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, admin.company_id, path.into_inner()).await?;
    let org = organization_of(&row)?;
    let pat = state.pat_of(&row)?;
    let items = verify::list_projects(&state.ado, &org, &pat).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TypesQuery {
    /// The project to list types of; the integration's own when absent.
    project: Option<String>,
}

/// The work item types a project offers, for the admin page's type picker.
async fn work_item_types(
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
    Ok(HttpResponse::Ok().json(json!({ "project": project, "items": items })))
}

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
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

async fn delete(
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
