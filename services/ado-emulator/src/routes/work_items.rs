//! ADO's Work Item Tracking routes (api-version 7.1): create (`$Type`), get, list, batch,
//! update with JSON Patch, and delete to the recycle bin ([`super::recycle_bin`] restores;
//! [`super::wiql`] queries).
//! The rules live in [`crate::work_items`]; here are the HTTP shapes: routes with and
//! without the project segment, query parameters, scopes, and the events each write
//! sends to the service hooks.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::access::{READ_WORK, WRITE_WORK, authorize, require_json_patch};
use super::{base_url, query_flag, query_param};
use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::hooks;
use crate::process;
use crate::state::{Organization, Project};
use crate::work_items::edit::{self, EditContext};
use crate::work_items::render::{self, Place, View};
use crate::work_items::{WorkItem, patch};

/// ADO's cap on ids per list or batch request.
const MAX_IDS: usize = 200;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/{org}/{project}/_apis/wit/workitems/{type}",
        web::post().to(create),
    )
    .route("/{org}/_apis/wit/workitems", web::get().to(list_in_org))
    .route(
        "/{org}/{project}/_apis/wit/workitems",
        web::get().to(list_in_project),
    )
    .route("/{org}/_apis/wit/workitems/{id}", web::get().to(get_in_org))
    .route(
        "/{org}/{project}/_apis/wit/workitems/{id}",
        web::get().to(get_in_project),
    )
    .route(
        "/{org}/_apis/wit/workitems/{id}",
        web::patch().to(update_in_org),
    )
    .route(
        "/{org}/{project}/_apis/wit/workitems/{id}",
        web::patch().to(update_in_project),
    )
    .route(
        "/{org}/_apis/wit/workitems/{id}",
        web::delete().to(delete_in_org),
    )
    .route(
        "/{org}/{project}/_apis/wit/workitems/{id}",
        web::delete().to(delete_in_project),
    )
    .route(
        "/{org}/_apis/wit/workitemsbatch",
        web::post().to(batch_in_org),
    )
    .route(
        "/{org}/{project}/_apis/wit/workitemsbatch",
        web::post().to(batch_in_project),
    );
}

pub(super) type Result<T> = std::result::Result<T, actix_web::Error>;

/// The project a route names, if it names one (404 `TF200016` when unknown).
pub(super) fn named_project<'o>(
    org: &'o Organization,
    project: Option<&str>,
) -> Result<Option<&'o Project>> {
    match project {
        None => Ok(None),
        Some(name) => Ok(Some(
            org.project(name)
                .ok_or_else(|| AdoError::project_not_found(name))?,
        )),
    }
}

/// A live work item, in the named project if a project is named.
pub(super) fn live_item<'o>(
    org: &'o Organization,
    project: Option<&Project>,
    id: &str,
) -> Result<&'o WorkItem> {
    let item = id
        .parse::<u32>()
        .ok()
        .and_then(|id| org.work_items.live(id))
        .filter(|item| project.is_none_or(|p| p.id == item.project_id))
        .ok_or_else(|| AdoError::work_item_not_found(id))?;
    Ok(item)
}

/// Where a work item lives, for its URLs.
pub(super) fn place<'a>(base: &'a str, org: &'a Organization, item: &WorkItem) -> Place<'a> {
    let project = org.project_by_id(item.project_id);
    Place {
        base,
        org: &org.name,
        project_id: item.project_id,
        project_name: project.map_or("", |p| p.name.as_str()),
    }
}

/// What write answers show: everything but the bookkeeping fields.
fn write_view() -> View {
    View {
        relations: true,
        links: true,
        ..View::default()
    }
}

async fn create(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org_name, project_name, type_segment) = path.into_inner();
    // ADO's create route is `workitems/$Type`; without the `$` it is not a create.
    let Some(type_name) = type_segment.strip_prefix('$') else {
        return Err(AdoError::route_not_found("POST", req.path()).into());
    };
    let base = base_url(&req);
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(&org_name)
        .ok_or_else(|| AdoError::organization_not_found(&org_name))?;
    let identity = authorize(&req, org, &WRITE_WORK)?;
    require_json_patch(&req)?;
    let ops = patch::parse(&body)?;
    let project = named_project(org, Some(&project_name))?
        .map(|p| (p.name.clone(), p.id))
        .ok_or_else(|| AdoError::project_not_found(&project_name))?;
    let kind = process::find_type(org.process, type_name)
        .ok_or_else(|| AdoError::work_item_type_not_found(type_name))?;
    org.meet(&identity);
    let people = org.people.clone();
    let ctx = EditContext {
        process: org.process,
        project_name: &project.0,
        project_id: project.1,
        actor: &identity,
        people: &people,
        now: Utc::now(),
        bypass_rules: query_flag(&req, "bypassRules"),
        validate_only: query_flag(&req, "validateOnly"),
    };
    // `suppressNotifications` is accepted and, as on dev.azure.com, does not stop
    // service hooks.
    let (item, changes) = edit::create(&mut org.work_items, &ctx, kind, &ops)?;
    let notifications = hooks::publish(org, &base, &changes);
    let answer = render::work_item(&place(&base, org, &item), &item, &write_view());
    drop(state);
    emulator.dispatch(notifications);
    Ok(HttpResponse::Ok().json(answer))
}

async fn get_in_org(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    get_one(&req, &emulator, &org, None, &id)
}

async fn get_in_project(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, project, id) = path.into_inner();
    get_one(&req, &emulator, &org, Some(&project), &id)
}

fn get_one(
    req: &HttpRequest,
    emulator: &Emulator,
    org_name: &str,
    project: Option<&str>,
    id: &str,
) -> Result<HttpResponse> {
    let base = base_url(req);
    let state = emulator.state().lock();
    let org = state
        .org(org_name)
        .ok_or_else(|| AdoError::organization_not_found(org_name))?;
    authorize(req, org, &READ_WORK)?;
    let view = View::from_query(
        query_param(req, "$expand").as_deref(),
        query_param(req, "fields").as_deref(),
        true,
    )?;
    let project = named_project(org, project)?;
    let item = live_item(org, project, id)?;
    Ok(HttpResponse::Ok().json(render::work_item(&place(&base, org, item), item, &view)))
}

async fn list_in_org(
    req: HttpRequest,
    path: web::Path<String>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    list(&req, &emulator, &path.into_inner(), None)
}

async fn list_in_project(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, project) = path.into_inner();
    list(&req, &emulator, &org, Some(&project))
}

fn list(
    req: &HttpRequest,
    emulator: &Emulator,
    org_name: &str,
    project: Option<&str>,
) -> Result<HttpResponse> {
    let state = emulator.state().lock();
    let org = state
        .org(org_name)
        .ok_or_else(|| AdoError::organization_not_found(org_name))?;
    authorize(req, org, &READ_WORK)?;
    let ids = parse_ids(query_param(req, "ids").as_deref())?;
    let view = View::from_query(
        query_param(req, "$expand").as_deref(),
        query_param(req, "fields").as_deref(),
        false,
    )?;
    let omit = query_param(req, "errorPolicy").is_some_and(|p| p.eq_ignore_ascii_case("omit"));
    let project = named_project(org, project)?;
    let answer = many(&base_url(req), org, project, &ids, &view, omit)?;
    Ok(HttpResponse::Ok().json(answer))
}

fn parse_ids(ids: Option<&str>) -> std::result::Result<Vec<String>, AdoError> {
    let ids: Vec<String> = ids
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(str::to_owned)
        .collect();
    check_ids(&ids)?;
    Ok(ids)
}

fn check_ids(ids: &[String]) -> std::result::Result<(), AdoError> {
    if ids.is_empty() {
        return Err(AdoError::bad_argument(
            "The ids parameter is required: name 1 to 200 work item ids.".to_owned(),
        ));
    }
    if ids.len() > MAX_IDS {
        return Err(AdoError::bad_argument(format!(
            "VS402335: {} work item ids were requested; at most {MAX_IDS} may be.",
            ids.len()
        )));
    }
    Ok(())
}

/// `{"count", "value"}` of the work items, in the order asked; with `omit`, a missing one
/// is `null` instead of failing the whole request.
fn many(
    base: &str,
    org: &Organization,
    project: Option<&Project>,
    ids: &[String],
    view: &View,
    omit: bool,
) -> Result<Value> {
    let mut value = Vec::new();
    for id in ids {
        match live_item(org, project, id) {
            Ok(item) => value.push(render::work_item(&place(base, org, item), item, view)),
            Err(_) if omit => value.push(Value::Null),
            Err(err) => return Err(err),
        }
    }
    Ok(json!({"count": value.len(), "value": value}))
}

#[derive(Deserialize)]
struct Batch {
    ids: Vec<Value>,
    #[serde(default)]
    fields: Option<Vec<String>>,
    #[serde(default, rename = "$expand")]
    expand: Option<String>,
    #[serde(default, rename = "errorPolicy")]
    error_policy: Option<String>,
}

async fn batch_in_org(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    batch(&req, &emulator, &path.into_inner(), None, &body)
}

async fn batch_in_project(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, project) = path.into_inner();
    batch(&req, &emulator, &org, Some(&project), &body)
}

fn batch(
    req: &HttpRequest,
    emulator: &Emulator,
    org_name: &str,
    project: Option<&str>,
    body: &[u8],
) -> Result<HttpResponse> {
    let state = emulator.state().lock();
    let org = state
        .org(org_name)
        .ok_or_else(|| AdoError::organization_not_found(org_name))?;
    authorize(req, org, &READ_WORK)?;
    let batch: Batch = serde_json::from_slice(body).map_err(|err| {
        AdoError::bad_argument(format!(
            "The body must be {{\"ids\": [...], \"fields\"?: [...], \"$expand\"?: \"...\"}}: {err}"
        ))
    })?;
    let ids: Vec<String> = batch
        .ids
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    check_ids(&ids)?;
    let fields = batch.fields.map(|f| f.join(","));
    let view = View::from_query(batch.expand.as_deref(), fields.as_deref(), false)?;
    let omit = batch
        .error_policy
        .is_some_and(|p| p.eq_ignore_ascii_case("omit"));
    let project = named_project(org, project)?;
    let answer = many(&base_url(req), org, project, &ids, &view, omit)?;
    Ok(HttpResponse::Ok().json(answer))
}

async fn update_in_org(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    update(&req, &emulator, &org, None, &id, &body)
}

async fn update_in_project(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, project, id) = path.into_inner();
    update(&req, &emulator, &org, Some(&project), &id, &body)
}

fn update(
    req: &HttpRequest,
    emulator: &Emulator,
    org_name: &str,
    project: Option<&str>,
    id: &str,
    body: &[u8],
) -> Result<HttpResponse> {
    let base = base_url(req);
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(org_name)
        .ok_or_else(|| AdoError::organization_not_found(org_name))?;
    let identity = authorize(req, org, &WRITE_WORK)?;
    require_json_patch(req)?;
    let ops = patch::parse(body)?;
    let project = named_project(org, project)?;
    let item = live_item(org, project, id)?;
    let (item_id, project_id) = (item.id, item.project_id);
    let project_name = org
        .project_by_id(project_id)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    org.meet(&identity);
    let people = org.people.clone();
    let ctx = EditContext {
        process: org.process,
        project_name: &project_name,
        project_id,
        actor: &identity,
        people: &people,
        now: Utc::now(),
        bypass_rules: query_flag(req, "bypassRules"),
        validate_only: query_flag(req, "validateOnly"),
    };
    let (item, changes) = edit::update(&mut org.work_items, &ctx, item_id, &ops)?;
    let notifications = hooks::publish(org, &base, &changes);
    let answer = render::work_item(&place(&base, org, &item), &item, &write_view());
    drop(state);
    emulator.dispatch(notifications);
    Ok(HttpResponse::Ok().json(answer))
}

async fn delete_in_org(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    delete(&req, &emulator, &org, None, &id)
}

async fn delete_in_project(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, project, id) = path.into_inner();
    delete(&req, &emulator, &org, Some(&project), &id)
}

fn delete(
    req: &HttpRequest,
    emulator: &Emulator,
    org_name: &str,
    project: Option<&str>,
    id: &str,
) -> Result<HttpResponse> {
    let base = base_url(req);
    let destroy = query_flag(req, "destroy");
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(org_name)
        .ok_or_else(|| AdoError::organization_not_found(org_name))?;
    let identity = authorize(req, org, &WRITE_WORK)?;
    let project = named_project(org, project)?;
    let item_id = live_item(org, project, id)?.id;
    org.meet(&identity);
    let (item, changes) =
        edit::delete(&mut org.work_items, &identity, Utc::now(), item_id, destroy)?;
    let notifications = hooks::publish(org, &base, &changes);
    let answer = render::deleted(&place(&base, org, &item), &item, 200);
    drop(state);
    emulator.dispatch(notifications);
    Ok(if destroy {
        HttpResponse::NoContent().finish()
    } else {
        HttpResponse::Ok().json(answer)
    })
}
