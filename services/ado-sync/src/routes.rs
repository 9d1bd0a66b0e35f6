//! The HTTP side of ado-sync, a function that needs no socket so that tests can run it in
//! process: health and metrics, the OpenAPI document, and the internal dead-letter API,
//! registered in [`api`] through utoipa-actix-web (the document comes from the same list).

use actix_web::web::{self, Bytes};
use navsync_platform::{api_error, auth::Authenticator, health, openapi};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::dead_letters::DeadLetters;

pub fn configure(
    auth: Authenticator,
    dead_letters: web::Data<DeadLetters>,
    readiness: health::Readiness,
    openapi_json: Bytes,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        health::configure(cfg, readiness);
        cfg.app_data(web::Data::new(auth))
            .app_data(dead_letters)
            .app_data(api_error::json_config(64 * 1024))
            .configure(|c| openapi::configure(c, openapi_json));
        api(&mut ServiceConfig::new(cfg));
        cfg.default_service(web::to(api_error::route_not_found));
    }
}

/// The internal dead-letter API, under `/internal/v1`, each route with its operation.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(scope::scope("/internal/v1").configure(crate::dead_letters::configure));
}
