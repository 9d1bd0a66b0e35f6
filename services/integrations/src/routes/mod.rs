//! The route table, a function that needs no socket so that tests can run it in process.
//! The API's routes are registered in [`api`], through utoipa-actix-web: the OpenAPI
//! document (`crate::openapi`) is generated from that same registration.

mod admin;
mod attention;
mod bodies;
mod internal;
mod page;
mod self_healing;

use actix_web::middleware;
use actix_web::web::{self, Bytes};
use navsync_platform::{api_error, auth::Authenticator, health, openapi};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::state::AppState;

/// Request bodies of this service are small settings documents.
const BODY_LIMIT: usize = 64 * 1024;

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
        cfg.configure(page::configure)
            .default_service(web::to(api_error::route_not_found));
    }
}

/// Every route of the API (SPEC §5 and the internal API), each with its OpenAPI
/// operation: the admin's under `/v1/integrations`, the services' under `/internal/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/v1/integrations")
            .wrap(middleware::DefaultHeaders::new().add(("Cache-Control", "no-store")))
            .configure(admin::configure)
            .configure(self_healing::configure),
    )
    .service(scope::scope("/internal/v1").configure(internal::configure));
}
