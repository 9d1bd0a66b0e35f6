//! The control API under `/_emulator/`: seed organizations, read and clear the request
//! log, inject faults, set latency and rate limits, read early requests, add and revoke
//! PATs, reset. (Acting as a person is [`super::control_work`]; service hooks are
//! [`super::control_hooks`].) No authentication: the emulator is a development and test
//! tool, never deployed. Errors use ADO's body too, so one client error parser serves
//! both.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::faults::Fault;
use crate::latency::Latency;
use crate::rate_limit::RateLimit;
use crate::seed::{Seed, SeedError, SeedPat};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/seed", web::post().to(seed))
        .route("/requests", web::get().to(list_requests))
        .route("/requests", web::delete().to(clear_requests))
        .route("/faults", web::post().to(add_fault))
        .route("/faults", web::delete().to(clear_faults))
        .route("/organizations/{org}/pats", web::post().to(add_pat))
        .route(
            "/organizations/{org}/pats/revoke",
            web::post().to(revoke_pat),
        )
        .route("/latency", web::get().to(latency))
        .route("/latency", web::post().to(set_latency))
        .route("/latency", web::delete().to(clear_latency))
        .route("/organizations/{org}/rate-limit", web::get().to(rate_limit))
        .route(
            "/organizations/{org}/rate-limit",
            web::post().to(set_rate_limit),
        )
        .route(
            "/organizations/{org}/rate-limit",
            web::delete().to(clear_rate_limit),
        )
        .route("/rate-limits/early", web::get().to(early_requests))
        .route("/rate-limits/early", web::delete().to(clear_early_requests))
        .route("/reset", web::post().to(reset));
}

/// Parses a JSON body ourselves, so that a bad one is a 400 in ADO's body naming the
/// problem rather than actix's plain text.
pub(super) fn parse<T: DeserializeOwned>(
    body: &[u8],
    type_key: &'static str,
) -> Result<T, AdoError> {
    serde_json::from_slice(body)
        .map_err(|err| AdoError::control(StatusCode::BAD_REQUEST, type_key, err.to_string()))
}

fn seed_error(err: SeedError) -> AdoError {
    match err {
        SeedError::UnknownOrganization(name) => AdoError::organization_not_found(&name),
        other => AdoError::control(
            StatusCode::BAD_REQUEST,
            "InvalidSeedException",
            other.to_string(),
        ),
    }
}

async fn seed(body: web::Bytes, emulator: web::Data<Emulator>) -> Result<HttpResponse, AdoError> {
    let seed: Seed = parse(&body, "InvalidSeedException")?;
    let names: Vec<String> = seed.organizations.iter().map(|o| o.name.clone()).collect();
    emulator.seed(seed).map_err(|err| match err {
        // A seed's subscriptions are refused with the organization named.
        SeedError::UnknownOrganization(_) => seed_error(err),
        other => AdoError::control(
            StatusCode::BAD_REQUEST,
            "InvalidSeedException",
            other.to_string(),
        ),
    })?;
    Ok(HttpResponse::Ok().json(json!({"organizations": names})))
}

async fn list_requests(emulator: web::Data<Emulator>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"items": emulator.requests()}))
}

async fn clear_requests(emulator: web::Data<Emulator>) -> HttpResponse {
    emulator.clear_requests();
    HttpResponse::NoContent().finish()
}

async fn add_fault(
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, AdoError> {
    let fault: Fault = parse(&body, "InvalidFaultException")?;
    emulator.add_fault(fault.clone()).map_err(|err| {
        AdoError::control(
            StatusCode::BAD_REQUEST,
            "InvalidFaultException",
            err.to_string(),
        )
    })?;
    Ok(HttpResponse::Created().json(fault))
}

async fn clear_faults(emulator: web::Data<Emulator>) -> HttpResponse {
    emulator.clear_faults();
    HttpResponse::NoContent().finish()
}

async fn add_pat(
    org: web::Path<String>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, AdoError> {
    let pat: SeedPat = parse(&body, "InvalidSeedException")?;
    emulator.try_add_pat(&org, pat).map_err(seed_error)?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revoke {
    token: String,
}

async fn revoke_pat(
    org: web::Path<String>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, AdoError> {
    let Revoke { token } = parse(&body, "InvalidRequestException")?;
    let mut state = emulator.state().lock();
    let org_state = state
        .org_mut(&org)
        .ok_or_else(|| AdoError::organization_not_found(&org))?;
    let revoked = org_state.revoke_pat(&token);
    Ok(HttpResponse::Ok().json(json!({"revoked": revoked})))
}

async fn latency(emulator: web::Data<Emulator>) -> HttpResponse {
    HttpResponse::Ok().json(emulator.latency())
}

async fn set_latency(
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, AdoError> {
    let latency: Latency = parse(&body, "InvalidLatencyException")?;
    emulator.set_latency(latency).map_err(|err| {
        AdoError::control(
            StatusCode::BAD_REQUEST,
            "InvalidLatencyException",
            err.message,
        )
    })?;
    Ok(HttpResponse::Ok().json(latency))
}

async fn clear_latency(emulator: web::Data<Emulator>) -> HttpResponse {
    // Zero latency is always valid.
    let _ = emulator.set_latency(Latency::default());
    HttpResponse::NoContent().finish()
}

async fn rate_limit(
    org: web::Path<String>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, AdoError> {
    let state = emulator.state().lock();
    let org_state = state
        .org(&org)
        .ok_or_else(|| AdoError::organization_not_found(&org))?;
    Ok(HttpResponse::Ok().json(json!({"rate_limit": org_state.rate_limit})))
}

async fn set_rate_limit(
    org: web::Path<String>,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, AdoError> {
    let limit: RateLimit = parse(&body, "InvalidRateLimitException")?;
    emulator
        .set_rate_limit(&org, Some(limit))
        .map_err(|err| match err.status {
            404 => AdoError::organization_not_found(&org),
            _ => AdoError::control(
                StatusCode::BAD_REQUEST,
                "InvalidRateLimitException",
                err.message,
            ),
        })?;
    Ok(HttpResponse::Ok().json(json!({"rate_limit": limit})))
}

async fn clear_rate_limit(
    org: web::Path<String>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, AdoError> {
    emulator
        .set_rate_limit(&org, None)
        .map_err(|_| AdoError::organization_not_found(&org))?;
    Ok(HttpResponse::NoContent().finish())
}

async fn early_requests(emulator: web::Data<Emulator>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"items": emulator.early_requests()}))
}

async fn clear_early_requests(emulator: web::Data<Emulator>) -> HttpResponse {
    emulator.clear_early_requests();
    HttpResponse::NoContent().finish()
}

async fn reset(emulator: web::Data<Emulator>) -> HttpResponse {
    emulator.reset();
    HttpResponse::NoContent().finish()
}
