//! The route table, a function that needs no socket so that tests can run it in process.
//! The API's routes are registered in [`api`], through utoipa-actix-web: the OpenAPI
//! document (`crate::openapi`) is generated from that same registration.

mod items;

use actix_web::web::{self, Bytes};
use navsync_platform::{api_error, auth::Authenticator, health, openapi};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::state::AppState;

/// A title, a 32 KiB description and the rest, with room for JSON escaping.
const BODY_LIMIT: usize = 256 * 1024;

pub fn configure(
    state: AppState,
    auth: Authenticator,
    readiness: health::Readiness,
    openapi_json: Bytes,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state))
            .app_data(web::Data::new(auth))
            .app_data(api_error::json_config(BODY_LIMIT))
            .app_data(api_error::path_config())
            .app_data(api_error::query_config())
            .configure(|c| health::configure(c, readiness))
            .configure(|c| openapi::configure(c, openapi_json));
        api(&mut ServiceConfig::new(cfg));
        cfg.default_service(web::to(api_error::route_not_found));
    }
}

/// Every route of the API (SPEC §6), each with its OpenAPI operation.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(scope::scope("/v1/action-items").configure(items::configure));
}
