//! The control API's "act as a person in ADO": create, edit (fields and state), comment,
//! delete and restore work items as someone working in the portal — each change one
//! revision with the events it fires — and read every work item, recycled ones too, for
//! test assertions.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::base_url;
use super::control::parse;
use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::people::{Person, comment_op, field_ops};
use crate::work_items::WorkItemSnapshot;
use crate::work_items::edit;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{org}/workitems", web::get().to(list))
        .route(
            "/organizations/{org}/workitems/{id}",
            web::get().to(get_one),
        )
        .route(
            "/organizations/{org}/projects/{project}/workitems",
            web::post().to(create),
        )
        .route(
            "/organizations/{org}/workitems/{id}/edit",
            web::post().to(edit_fields),
        )
        .route(
            "/organizations/{org}/workitems/{id}/comment",
            web::post().to(comment),
        )
        .route(
            "/organizations/{org}/workitems/{id}/delete",
            web::post().to(delete),
        )
        .route(
            "/organizations/{org}/workitems/{id}/restore",
            web::post().to(restore),
        );
}

type Result<T> = std::result::Result<T, AdoError>;

const BAD: &str = "InvalidRequestException";

fn id_of(text: &str) -> Result<u32> {
    text.parse()
        .map_err(|_| AdoError::work_item_not_found(text))
}

async fn list(org: web::Path<String>, emulator: web::Data<Emulator>) -> Result<HttpResponse> {
    if emulator.state().lock().org(&org).is_none() {
        return Err(AdoError::organization_not_found(&org));
    }
    let value = emulator.work_items(&org);
    Ok(HttpResponse::Ok().json(json!({"count": value.len(), "value": value})))
}

async fn get_one(
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let item = emulator
        .work_item(&org, id_of(&id)?)
        .ok_or_else(|| AdoError::work_item_not_found(&id))?;
    Ok(HttpResponse::Ok().json(item))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    #[serde(default, rename = "as")]
    person: Option<Person>,
    #[serde(rename = "type")]
    work_item_type: String,
    fields: Value,
}

async fn create(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, project) = path.into_inner();
    let Create {
        person,
        work_item_type,
        fields,
    } = parse(&body, BAD)?;
    let item = emulator.create_as(
        &org,
        &project,
        work_item_type.trim_start_matches('$'),
        &fields,
        person.as_ref(),
        Some(&base_url(&req)),
    )?;
    Ok(HttpResponse::Ok().json(WorkItemSnapshot::from(&item)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    #[serde(default, rename = "as")]
    person: Option<Person>,
    fields: Value,
}

async fn edit_fields(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let Edit { person, fields } = parse(&body, BAD)?;
    let ops = field_ops(&fields)?;
    let item = emulator.edit_as(
        &org,
        id_of(&id)?,
        ops,
        person.as_ref(),
        Some(&base_url(&req)),
    )?;
    Ok(HttpResponse::Ok().json(WorkItemSnapshot::from(&item)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Comment {
    #[serde(default, rename = "as")]
    person: Option<Person>,
    text: String,
}

async fn comment(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let Comment { person, text } = parse(&body, BAD)?;
    let ops = vec![comment_op(&text)];
    let item = emulator.edit_as(
        &org,
        id_of(&id)?,
        ops,
        person.as_ref(),
        Some(&base_url(&req)),
    )?;
    Ok(HttpResponse::Ok().json(WorkItemSnapshot::from(&item)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Who {
    #[serde(default, rename = "as")]
    person: Option<Person>,
}

/// An empty body means "the default person".
fn who(body: &[u8]) -> Result<Option<Person>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let Who { person } = parse(body, BAD)?;
    Ok(person)
}

async fn delete(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let person = who(&body)?;
    let id = id_of(&id)?;
    let item = emulator.act(
        &org,
        person.as_ref(),
        Some(&base_url(&req)),
        Box::new(move |o, by| edit::delete(&mut o.work_items, by, chrono::Utc::now(), id, false)),
    )?;
    Ok(HttpResponse::Ok().json(WorkItemSnapshot::from(&item)))
}

async fn restore(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let person = who(&body)?;
    let id = id_of(&id)?;
    let item = emulator.act(
        &org,
        person.as_ref(),
        Some(&base_url(&req)),
        Box::new(move |o, by| edit::restore(&mut o.work_items, by, chrono::Utc::now(), id)),
    )?;
    Ok(HttpResponse::Ok().json(WorkItemSnapshot::from(&item)))
}
