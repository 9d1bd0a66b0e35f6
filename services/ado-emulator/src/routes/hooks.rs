//! ADO's service hook subscription routes (`{org}/_apis/hooks/subscriptions`): list,
//! create, read, replace and delete Web Hooks subscriptions to work item events, as the
//! PAT's identity. Deliveries themselves are [`crate::hooks::delivery`]'s.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use super::access::{READ_HOOKS, WRITE_HOOKS, authorize};
use super::{base_url, query_param};
use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::hooks::{Subscription, SubscriptionSpec};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/{org}/_apis/hooks/subscriptions", web::get().to(list))
        .route("/{org}/_apis/hooks/subscriptions", web::post().to(create))
        .route(
            "/{org}/_apis/hooks/subscriptions/{id}",
            web::get().to(get_one),
        )
        .route(
            "/{org}/_apis/hooks/subscriptions/{id}",
            web::put().to(replace),
        )
        .route(
            "/{org}/_apis/hooks/subscriptions/{id}",
            web::delete().to(delete),
        );
}

type Result<T> = std::result::Result<T, actix_web::Error>;

fn parse_body(body: &[u8]) -> std::result::Result<Value, AdoError> {
    serde_json::from_slice(body)
        .map_err(|err| AdoError::invalid_subscription(format!("The body is not JSON: {err}")))
}

fn parse_id(id: &str) -> std::result::Result<Uuid, AdoError> {
    Uuid::parse_str(id).map_err(|_| AdoError::subscription_not_found(id))
}

async fn list(
    req: HttpRequest,
    org: web::Path<String>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let base = base_url(&req);
    let state = emulator.state().lock();
    let org = state
        .org(&org)
        .ok_or_else(|| AdoError::organization_not_found(&org))?;
    authorize(&req, org, &READ_HOOKS)?;
    let filter = |name: &str, actual: &str| {
        query_param(&req, name).is_none_or(|wanted| wanted.eq_ignore_ascii_case(actual))
    };
    let value: Vec<Value> = org
        .subscriptions
        .iter()
        .filter(|s| {
            filter("publisherId", "tfs")
                && filter("consumerId", "webHooks")
                && filter("consumerActionId", "httpRequest")
                && filter("eventType", s.spec.event.event_type())
        })
        .map(|s| s.to_json(&base, &org.name))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"count": value.len(), "value": value})))
}

async fn create(
    req: HttpRequest,
    org: web::Path<String>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let base = base_url(&req);
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(&org)
        .ok_or_else(|| AdoError::organization_not_found(&org))?;
    let identity = authorize(&req, org, &WRITE_HOOKS)?;
    let spec = SubscriptionSpec::from_ado_json(&parse_body(&body)?, org, false)?;
    let subscription = Subscription::new(spec, identity, Utc::now());
    let answer = subscription.to_json(&base, &org.name);
    org.subscriptions.push(subscription);
    Ok(HttpResponse::Ok().json(answer))
}

async fn get_one(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let base = base_url(&req);
    let state = emulator.state().lock();
    let org = state
        .org(&org)
        .ok_or_else(|| AdoError::organization_not_found(&org))?;
    authorize(&req, org, &READ_HOOKS)?;
    let uuid = parse_id(&id)?;
    let subscription = org
        .subscriptions
        .iter()
        .find(|s| s.id == uuid)
        .ok_or_else(|| AdoError::subscription_not_found(&id))?;
    Ok(HttpResponse::Ok().json(subscription.to_json(&base, &org.name)))
}

async fn replace(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let base = base_url(&req);
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(&org)
        .ok_or_else(|| AdoError::organization_not_found(&org))?;
    let identity = authorize(&req, org, &WRITE_HOOKS)?;
    let uuid = parse_id(&id)?;
    let mut body = parse_body(&body)?;
    // A client that read the subscription sends the masked password back: keep the old.
    if body["consumerInputs"]["basicAuthPassword"].as_str() == Some("********") {
        let old = org
            .subscriptions
            .iter()
            .find(|s| s.id == uuid)
            .and_then(|s| s.spec.consumer_inputs.get("basicAuthPassword").cloned());
        if let Some(old) = old {
            body["consumerInputs"]["basicAuthPassword"] = old.into();
        }
    }
    let spec = SubscriptionSpec::from_ado_json(&body, org, false)?;
    let name = org.name.clone();
    let subscription = org
        .subscription_mut(uuid)
        .ok_or_else(|| AdoError::subscription_not_found(&id))?;
    subscription.replace(spec, identity, Utc::now());
    Ok(HttpResponse::Ok().json(subscription.to_json(&base, &name)))
}

async fn delete(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(&org)
        .ok_or_else(|| AdoError::organization_not_found(&org))?;
    authorize(&req, org, &WRITE_HOOKS)?;
    let uuid = parse_id(&id)?;
    let before = org.subscriptions.len();
    org.subscriptions.retain(|s| s.id != uuid);
    if org.subscriptions.len() == before {
        return Err(AdoError::subscription_not_found(&id).into());
    }
    Ok(HttpResponse::NoContent().finish())
}
