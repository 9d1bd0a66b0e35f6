//! ADO's recycle bin routes: read a deleted work item, restore it with
//! `{"IsDeleted": false}`, or destroy it for good.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde_json::Value;

use super::access::{READ_WORK, WRITE_WORK, authorize};
use super::base_url;
use super::work_items::{Result, named_project, place};
use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::hooks;
use crate::state::Organization;
use crate::work_items::WorkItem;
use crate::work_items::edit;
use crate::work_items::render;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/{org}/{project}/_apis/wit/recyclebin/{id}",
        web::get().to(recycled),
    )
    .route(
        "/{org}/{project}/_apis/wit/recyclebin/{id}",
        web::patch().to(restore),
    )
    .route(
        "/{org}/{project}/_apis/wit/recyclebin/{id}",
        web::delete().to(destroy_recycled),
    );
}

/// A work item in the recycle bin of the named project.
fn recycled_item<'o>(org: &'o Organization, project: &str, id: &str) -> Result<&'o WorkItem> {
    let project = named_project(org, Some(project))?;
    Ok(id
        .parse::<u32>()
        .ok()
        .and_then(|id| org.work_items.items.get(&id))
        .filter(|item| item.deleted.is_some())
        .filter(|item| project.is_none_or(|p| p.id == item.project_id))
        .ok_or_else(|| AdoError::work_item_not_found(id))?)
}

async fn recycled(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org_name, project, id) = path.into_inner();
    let base = base_url(&req);
    let state = emulator.state().lock();
    let org = state
        .org(&org_name)
        .ok_or_else(|| AdoError::organization_not_found(&org_name))?;
    authorize(&req, org, &READ_WORK)?;
    let item = recycled_item(org, &project, &id)?;
    Ok(HttpResponse::Ok().json(render::deleted(&place(&base, org, item), item, 200)))
}

async fn restore(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org_name, project, id) = path.into_inner();
    let base = base_url(&req);
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(&org_name)
        .ok_or_else(|| AdoError::organization_not_found(&org_name))?;
    let identity = authorize(&req, org, &WRITE_WORK)?;
    let item_id = recycled_item(org, &project, &id)?.id;
    // The only change the recycle bin takes: `{"IsDeleted": false}`.
    let asks_restore = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| {
            v.as_object().and_then(|o| {
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("isDeleted"))
                    .map(|(_, v)| v.clone())
            })
        })
        .is_some_and(|v| v == Value::Bool(false));
    if !asks_restore {
        return Err(AdoError::invalid_restore(item_id).into());
    }
    org.meet(&identity);
    let (item, changes) = edit::restore(&mut org.work_items, &identity, Utc::now(), item_id)?;
    let notifications = hooks::publish(org, &base, &changes);
    let answer = render::deleted(&place(&base, org, &item), &item, 200);
    drop(state);
    emulator.dispatch(notifications);
    Ok(HttpResponse::Ok().json(answer))
}

async fn destroy_recycled(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org_name, project, id) = path.into_inner();
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(&org_name)
        .ok_or_else(|| AdoError::organization_not_found(&org_name))?;
    let identity = authorize(&req, org, &WRITE_WORK)?;
    let item_id = recycled_item(org, &project, &id)?.id;
    edit::delete(&mut org.work_items, &identity, Utc::now(), item_id, true)?;
    Ok(HttpResponse::NoContent().finish())
}
