//! The control API's service hook calls: subscriptions created by the organization's
//! administrator (ADO's JSON, a project may be named), their status, the delivery
//! history with each attempt's result, and the delivery timings.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::base_url;
use super::control::parse;
use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::hooks::delivery::HookSettings;
use crate::hooks::{Subscription, SubscriptionSpec, SubscriptionStatus};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations/{org}/subscriptions", web::get().to(list))
        .route("/organizations/{org}/subscriptions", web::post().to(create))
        .route(
            "/organizations/{org}/subscriptions/{id}",
            web::delete().to(delete),
        )
        .route(
            "/organizations/{org}/subscriptions/{id}/status",
            web::post().to(set_status),
        )
        .route("/deliveries", web::get().to(deliveries))
        .route("/deliveries", web::delete().to(clear_deliveries))
        .route("/hooks/settings", web::get().to(settings))
        .route("/hooks/settings", web::post().to(set_settings));
}

type Result<T> = std::result::Result<T, AdoError>;

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
    let value: Vec<Value> = org
        .subscriptions
        .iter()
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
    let body: Value = parse(&body, "SubscriptionInputException")?;
    let mut state = emulator.state().lock();
    let org = state
        .org_mut(&org)
        .ok_or_else(|| AdoError::organization_not_found(&org))?;
    let spec = SubscriptionSpec::from_ado_json(&body, org, true)?;
    let subscription = Subscription::new(spec, org.admin(), Utc::now());
    let answer = subscription.to_json(&base, &org.name);
    org.subscriptions.push(subscription);
    Ok(HttpResponse::Created().json(answer))
}

fn subscription_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| AdoError::subscription_not_found(id))
}

async fn delete(
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    if emulator.remove_subscription(&org, subscription_id(&id)?) {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(AdoError::subscription_not_found(&id))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Status {
    status: SubscriptionStatus,
}

async fn set_status(
    path: web::Path<(String, String)>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse> {
    let (org, id) = path.into_inner();
    let Status { status } = parse(&body, "SubscriptionInputException")?;
    if emulator.set_subscription_status(&org, subscription_id(&id)?, status) {
        Ok(HttpResponse::Ok().json(json!({"id": id, "status": status.as_str()})))
    } else {
        Err(AdoError::subscription_not_found(&id))
    }
}

async fn deliveries(req: HttpRequest, emulator: web::Data<Emulator>) -> HttpResponse {
    let wanted = |name: &str| super::query_param(&req, name);
    let (subscription, event_type) = (wanted("subscription"), wanted("event_type"));
    let items: Vec<_> = emulator
        .deliveries()
        .into_iter()
        .filter(|d| {
            subscription
                .as_deref()
                .is_none_or(|s| d.subscription_id.to_string().eq_ignore_ascii_case(s))
                && event_type
                    .as_deref()
                    .is_none_or(|e| d.event_type.eq_ignore_ascii_case(e))
        })
        .collect();
    HttpResponse::Ok().json(json!({"items": items}))
}

async fn clear_deliveries(emulator: web::Data<Emulator>) -> HttpResponse {
    emulator.clear_deliveries();
    HttpResponse::NoContent().finish()
}

async fn settings(emulator: web::Data<Emulator>) -> HttpResponse {
    HttpResponse::Ok().json(emulator.hook_settings())
}

async fn set_settings(body: web::Bytes, emulator: web::Data<Emulator>) -> Result<HttpResponse> {
    let settings: HookSettings = parse(&body, "InvalidHookSettingsException")?;
    emulator.set_hook_settings(settings).map_err(|err| {
        AdoError::control(
            StatusCode::BAD_REQUEST,
            "InvalidHookSettingsException",
            err.message,
        )
    })?;
    Ok(HttpResponse::Ok().json(settings))
}
