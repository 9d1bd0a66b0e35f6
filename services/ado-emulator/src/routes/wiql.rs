//! ADO's WIQL route: a query in the body, ids (and URLs) in the answer; `@project` is
//! the project of the route, when it names one.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::access::{READ_WORK, authorize};
use super::work_items::{Result, named_project, place};
use super::{base_url, query_param};
use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::work_items::wiql;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/{org}/{project}/_apis/wit/wiql",
        web::post().to(wiql_in_project),
    )
    .route("/{org}/_apis/wit/wiql", web::post().to(wiql_in_org));
}

#[derive(Deserialize)]
struct Wiql {
    query: String,
}

async fn wiql_in_project(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, project) = path.into_inner();
    run_wiql(&req, &emulator, &org, Some(&project), &body)
}

async fn wiql_in_org(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    run_wiql(&req, &emulator, &path.into_inner(), None, &body)
}

fn run_wiql(
    req: &HttpRequest,
    emulator: &Emulator,
    org_name: &str,
    project: Option<&str>,
    body: &[u8],
) -> Result<HttpResponse> {
    let base = base_url(req);
    let state = emulator.state().lock();
    let org = state
        .org(org_name)
        .ok_or_else(|| AdoError::organization_not_found(org_name))?;
    authorize(req, org, &READ_WORK)?;
    let Wiql { query } = serde_json::from_slice(body).map_err(|_| {
        AdoError::bad_argument("The body must be {\"query\": \"SELECT ...\"}.".to_owned())
    })?;
    let project = named_project(org, project)?;
    let parsed = wiql::parse(&query, org.process, project.map(|p| p.name.as_str()))?;
    let top = query_param(req, "$top").and_then(|t| t.trim().parse::<usize>().ok());
    let ids: Vec<(u32, String)> = parsed
        .run(org.work_items.items.values())?
        .into_iter()
        .take(top.unwrap_or(usize::MAX))
        .map(|item| (item.id, place(&base, org, item).item_url(item.id)))
        .collect();
    Ok(HttpResponse::Ok().json(parsed.answer(&base, &org.name, &ids, Utc::now())))
}
