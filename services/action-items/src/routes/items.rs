//! SPEC §6: create, read, list, change and delete action items. Every change writes the
//! row and its event to the outbox in one transaction. Each handler carries its OpenAPI
//! operation (`#[utoipa::path]`): every status it answers, with the codes behind it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel_async::AsyncConnection;
use navsync_contracts::{ActionItemStatus, Origin, changed_field};
use navsync_platform::ApiError;
use navsync_platform::api_error::ErrorBody;
use navsync_platform::auth::AuthUser;
use navsync_platform::openapi::{NotFound, PayloadTooLarge, Unauthorized, UnsupportedMediaType};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::events::{Change, outbox_row};
use crate::input::{self, CreateInput, PatchInput};
use crate::state::AppState;
use crate::store::action_items::{self as items, ActionItemRow};
use crate::store::idempotency::{self, Claim};
use crate::store::outbox;
use crate::view::{ActionItemList, ActionItemView, status_str};

/// The routes, under `/v1/action-items`; registered through utoipa-actix-web, so each is
/// in the OpenAPI document too.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_action_item)
        .service(list_action_items)
        .service(get_action_item)
        .service(update_action_item)
        .service(delete_action_item);
}

const IDEMPOTENCY_KEY_MAX: usize = 255;

fn not_found() -> ApiError {
    ApiError::not_found("The action item")
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= IDEMPOTENCY_KEY_MAX)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
            )
        })?;
    Ok(Some(key.to_owned()))
}

/// Creates an action item; its `action_item.created.v1` leaves through the outbox. With
/// an `Idempotency-Key`, a retried POST answers what the first one did.
#[utoipa::path(
    tag = "action-items",
    security(("user_jwt" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255,
         description = "Makes a retried POST return the first answer (1 to 255 visible ASCII characters)."),
    ),
    request_body = CreateInput,
    responses(
        (status = 201, description = "Created (or the first answer to this Idempotency-Key).", body = ActionItemView),
        (status = 400, body = ErrorBody, description = "`invalid_json` (the field's path and reason), `invalid_body`, `invalid_idempotency_key`."),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`validation_failed` (the field and its rule), `idempotency_key_reused` (the key came with another body)."),
    )
)]
#[post("")]
async fn create_action_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let body = body.into_inner();
    let request_hash = hex(&Sha256::digest(body.to_string().as_bytes()));
    let input: CreateInput = input::parse(body)?;
    let now = navsync_platform::db::now();
    let sync_to_ado = input.sync_to_ado.unwrap_or(true);
    let row = ActionItemRow {
        id: Uuid::now_v7(),
        company_id: user.company_id,
        title: input::title(&input.title)?,
        description: input::description(input.description)?,
        status: status_str(input.status.unwrap_or(ActionItemStatus::NotStarted)).to_owned(),
        assignee_email: input::assignee_email(input.assignee_email)?,
        due_date: input.due_date,
        sync_to_ado,
        version: 1,
        created_at: now,
        updated_at: now,
        ado_work_item_id: None,
        ado_url: None,
        ado_sync_state: "pending".to_owned(),
        ado_last_synced_at: None,
        ado_error: None,
        ado_synced_version: 0,
        ado_title_rev: None,
        ado_description_rev: None,
        ado_status_rev: None,
        ado_warning: None,
    };
    let event = outbox_row(&row, Change::Created, Origin::Navigator)?;
    let mut conn = state.pool.get().await?;
    let company_id = user.company_id;
    let answer = conn
        .transaction(async |conn| {
            if let Some(key) = &key {
                match idempotency::claim(conn, company_id, key, &request_hash).await? {
                    Claim::New => {}
                    Claim::Replay { status, response } => return Ok((status, response, false)),
                    Claim::Mismatch => {
                        return Err(ApiError::unprocessable(
                            "idempotency_key_reused",
                            "This Idempotency-Key was used for a different request.",
                        ));
                    }
                }
            }
            items::insert(conn, &row).await?;
            outbox::insert(conn, &event).await?;
            let response = serde_json::to_value(ActionItemView::from(row.clone()))
                .map_err(ApiError::internal)?;
            if let Some(key) = &key {
                idempotency::complete(conn, company_id, key, 201, &response).await?;
            }
            Ok::<_, ApiError>((201, response, true))
        })
        .await?;
    let (status, response, created) = answer;
    if created {
        state.relay_wake.notify_one();
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    Ok(HttpResponse::build(status).json(response))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// How many at most (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
    /// The `next_cursor` of the page before.
    cursor: Option<String>,
}

fn decode_cursor(cursor: &str) -> Result<Uuid, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::bad_request("invalid_cursor", "cursor is not one we issued."))
}

/// The caller's company's action items, a page at a time, oldest first.
#[utoipa::path(
    tag = "action-items",
    security(("user_jwt" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = ActionItemList),
        (status = 400, body = ErrorBody, description = "`invalid_limit` (not 1 to 200), `invalid_cursor` (not one we issued), `invalid_query`."),
        (status = 401, response = Unauthorized),
    )
)]
#[get("")]
async fn list_action_items(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            "limit must be between 1 and 200.",
        ));
    }
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let mut conn = state.pool.get().await?;
    // One more than asked tells whether another page exists.
    let mut rows = items::list_for_company(&mut conn, user.company_id, after, limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if more {
        rows.last().map(|r| URL_SAFE_NO_PAD.encode(r.id.as_bytes()))
    } else {
        None
    };
    let items: Vec<ActionItemView> = rows.into_iter().map(ActionItemView::from).collect();
    Ok(HttpResponse::Ok().json(ActionItemList { items, next_cursor }))
}

#[utoipa::path(
    tag = "action-items",
    security(("user_jwt" = [])),
    params(("id" = Uuid, Path, description = "The action item's id.")),
    responses(
        (status = 200, body = ActionItemView),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/{id}")]
async fn get_action_item(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let row = items::find_for_company(&mut conn, path.into_inner(), user.company_id)
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(ActionItemView::from(row)))
}

/// `If-Match: 3`, `"3"` or `W/"3"`.
fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get("If-Match") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_request("invalid_if_match", "If-Match must be a version number.")
        })
}

fn version_mismatch(current: i64) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "version_mismatch",
        format!("The action item changed meanwhile; its version is now {current}."),
    )
}

/// Changes any of the fields; `version` grows by one when anything differs, and
/// `action_item.updated.v1` names the fields that did.
#[utoipa::path(
    tag = "action-items",
    security(("user_jwt" = [])),
    params(
        ("id" = Uuid, Path, description = "The action item's id."),
        ("If-Match" = Option<String>, Header, pattern = "^(W/)?\"?[0-9]{1,18}\"?$",
         description = "The version the change is meant for (`3`, `\"3\"` or `W/\"3\"`): 412 when it is no longer the current one."),
    ),
    request_body = PatchInput,
    responses(
        (status = 200, description = "The action item as changed.", body = ActionItemView),
        (status = 400, body = ErrorBody, description = "`invalid_json` (the field's path and reason), `invalid_body`, `invalid_if_match`."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, body = ErrorBody, description = "`version_mismatch`: the item changed meanwhile."),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, body = ErrorBody, description = "`validation_failed`: the field and its rule."),
    )
)]
#[patch("/{id}")]
async fn update_action_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let patch: PatchInput = input::parse(body.into_inner())?;
    let title = patch.title.as_deref().map(input::title).transpose()?;
    let description = patch.description.map(input::description).transpose()?;
    let assignee = patch
        .assignee_email
        .map(input::assignee_email)
        .transpose()?;
    let id = path.into_inner();
    let company_id = user.company_id;
    let mut conn = state.pool.get().await?;
    let (row, changed) = conn
        .transaction(async |conn| {
            let mut row = items::find_for_update(conn, id, company_id)
                .await?
                .ok_or_else(not_found)?;
            if let Some(expected) = expected
                && expected != row.version
            {
                return Err(version_mismatch(row.version));
            }
            let mut changed = Vec::new();
            let mut set = |name: &str, differs: bool| {
                if differs {
                    changed.push(name.to_owned());
                }
                differs
            };
            if let Some(v) = title
                && set(changed_field::TITLE, v != row.title)
            {
                row.title = v;
            }
            if let Some(v) = description
                && set(changed_field::DESCRIPTION, v != row.description)
            {
                row.description = v;
            }
            if let Some(v) = patch.status.map(status_str)
                && set(changed_field::STATUS, v != row.status)
            {
                row.status = v.to_owned();
            }
            if let Some(v) = assignee
                && set(changed_field::ASSIGNEE_EMAIL, v != row.assignee_email)
            {
                row.assignee_email = v;
            }
            if let Some(v) = patch.due_date
                && set(changed_field::DUE_DATE, v != row.due_date)
            {
                row.due_date = v;
            }
            if let Some(v) = patch.sync_to_ado
                && set(changed_field::SYNC_TO_ADO, v != row.sync_to_ado)
            {
                row.sync_to_ado = v;
            }
            if changed.is_empty() {
                // Nothing differs: no new version, no event.
                return Ok((row, false));
            }
            row.version += 1;
            row.updated_at = navsync_platform::db::now();
            if row.sync_to_ado {
                row.ado_sync_state = "pending".to_owned();
            }
            items::save(conn, &row).await?;
            let event = outbox_row(
                &row,
                Change::Updated {
                    changed_fields: changed,
                },
                Origin::Navigator,
            )?;
            outbox::insert(conn, &event).await?;
            Ok::<_, ApiError>((row, true))
        })
        .await?;
    if changed {
        state.relay_wake.notify_one();
    }
    Ok(HttpResponse::Ok().json(ActionItemView::from(row)))
}

/// Deletes the action item; `action_item.deleted.v1` tells ado-sync.
#[utoipa::path(
    tag = "action-items",
    security(("user_jwt" = [])),
    params(
        ("id" = Uuid, Path, description = "The action item's id."),
        ("If-Match" = Option<String>, Header, pattern = "^(W/)?\"?[0-9]{1,18}\"?$",
         description = "The version the deletion is meant for: 412 when it is no longer the current one."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, body = ErrorBody, description = "`invalid_if_match`."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 412, body = ErrorBody, description = "`version_mismatch`: the item changed meanwhile."),
    )
)]
#[delete("/{id}")]
async fn delete_action_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let id = path.into_inner();
    let company_id = user.company_id;
    let mut conn = state.pool.get().await?;
    conn.transaction(async |conn| {
        let mut row = items::find_for_update(conn, id, company_id)
            .await?
            .ok_or_else(not_found)?;
        if let Some(expected) = expected
            && expected != row.version
        {
            return Err(version_mismatch(row.version));
        }
        items::delete(conn, id).await?;
        row.version += 1;
        row.updated_at = navsync_platform::db::now();
        outbox::insert(conn, &outbox_row(&row, Change::Deleted, Origin::Navigator)?).await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    state.relay_wake.notify_one();
    Ok(HttpResponse::NoContent().finish())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
