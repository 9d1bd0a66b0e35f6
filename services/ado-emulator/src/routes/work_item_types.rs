//! ADO's work item type routes: the types of the organization's process, one type with
//! its fields and states, and a type's states with their categories — what clients read
//! to map localised state names onto Proposed / InProgress / Resolved / Completed /
//! Removed.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::access::{READ_WORK, authorize};
use super::base_url;
use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::process::{self, WorkItemType};
use crate::state::Organization;
use crate::work_items::{encode_segment, fields};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/{org}/{project}/_apis/wit/workitemtypes",
        web::get().to(list_types),
    )
    .route(
        "/{org}/{project}/_apis/wit/workitemtypes/{type}",
        web::get().to(get_type),
    )
    .route(
        "/{org}/{project}/_apis/wit/workitemtypes/{type}/states",
        web::get().to(list_states),
    );
}

/// Runs `answer` for an authorized read in a project.
fn in_project(
    req: &HttpRequest,
    emulator: &Emulator,
    org_name: &str,
    project: &str,
    answer: impl FnOnce(&Organization, &str) -> Result<Value, AdoError>,
) -> Result<HttpResponse, actix_web::Error> {
    let state = emulator.state().lock();
    let org = state
        .org(org_name)
        .ok_or_else(|| AdoError::organization_not_found(org_name))?;
    authorize(req, org, &READ_WORK)?;
    let project = org
        .project(project)
        .ok_or_else(|| AdoError::project_not_found(project))?;
    let project_url = format!("{}/{}/{}", base_url(req), org.name, project.id);
    Ok(HttpResponse::Ok().json(answer(org, &project_url)?))
}

fn find(org: &Organization, name: &str) -> Result<&'static WorkItemType, AdoError> {
    process::find_type(org.process, name).ok_or_else(|| AdoError::work_item_type_not_found(name))
}

async fn list_types(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, actix_web::Error> {
    let (org, project) = path.into_inner();
    in_project(&req, &emulator, &org, &project, |org, project_url| {
        let value: Vec<Value> = process::types(org.process)
            .iter()
            .map(|t| type_json(t, project_url))
            .collect();
        Ok(json!({"count": value.len(), "value": value}))
    })
}

async fn get_type(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, actix_web::Error> {
    let (org, project, name) = path.into_inner();
    in_project(&req, &emulator, &org, &project, |org, project_url| {
        Ok(type_json(find(org, &name)?, project_url))
    })
}

async fn list_states(
    req: HttpRequest,
    path: web::Path<(String, String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, actix_web::Error> {
    let (org, project, name) = path.into_inner();
    in_project(&req, &emulator, &org, &project, |org, _| {
        let value = states_json(find(org, &name)?);
        Ok(json!({"count": value.len(), "value": value}))
    })
}

fn states_json(work_item_type: &WorkItemType) -> Vec<Value> {
    work_item_type
        .states
        .iter()
        .map(|s| json!({"name": s.name, "color": s.color, "category": s.category.as_str()}))
        .collect()
}

fn type_json(work_item_type: &WorkItemType, project_url: &str) -> Value {
    let url = format!(
        "{project_url}/_apis/wit/workItemTypes/{}",
        encode_segment(work_item_type.name)
    );
    let org_url = project_url
        .rsplit_once('/')
        .map_or(project_url, |(org, _)| org);
    let field_list: Vec<Value> = work_item_type
        .fields()
        .filter_map(fields::find)
        .map(|f| {
            json!({
                "defaultValue": null,
                "helpText": "",
                "alwaysRequired": matches!(f.reference_name, "System.Title" | "System.State"),
                "dependentFields": [],
                "referenceName": f.reference_name,
                "name": f.name,
                "url": format!("{org_url}/_apis/wit/fields/{}", f.reference_name),
            })
        })
        .collect();
    // Any state may follow any other: the emulator allows every transition.
    let mut transitions = serde_json::Map::new();
    transitions.insert(
        String::new(),
        json!([{"to": work_item_type.initial_state().name, "actions": null}]),
    );
    for from in work_item_type.states {
        let to: Vec<Value> = work_item_type
            .states
            .iter()
            .filter(|s| s.name != from.name)
            .map(|s| json!({"to": s.name, "actions": null}))
            .collect();
        transitions.insert(from.name.to_owned(), Value::Array(to));
    }
    json!({
        "name": work_item_type.name,
        "referenceName": work_item_type.reference_name,
        "description": work_item_type.description,
        "color": work_item_type.color,
        "icon": {
            "id": work_item_type.icon,
            "url": format!("{org_url}/_apis/wit/workItemIcons/{}?color={}&v=2", work_item_type.icon, work_item_type.color),
        },
        "isDisabled": false,
        "xmlForm": "",
        "fields": field_list,
        "fieldInstances": field_list,
        "transitions": transitions,
        "states": states_json(work_item_type),
        "_links": {"self": {"href": url}},
        "url": url,
    })
}
