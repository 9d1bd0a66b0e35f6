//! The route table, a function that needs no socket so that tests can run it in process.
//! The webhook route is registered in [`api`], through utoipa-actix-web: the OpenAPI
//! document (`crate::openapi`) is generated from that same registration.

mod hooks;

use actix_web::web::{self, Bytes};
use navsync_platform::{api_error, health, openapi};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::state::SharedState;

/// Called once per actix worker, on the worker's thread: each gets its own state.
pub fn configure(
    state: SharedState,
    readiness: health::Readiness,
    openapi_json: Bytes,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state.for_this_worker()));
        // actix tries the routes in the order they were registered, each with its own
        // matcher: the webhook route first, for it takes nearly every request.
        api(&mut ServiceConfig::new(cfg));
        cfg.configure(|c| health::configure(c, readiness))
            .configure(|c| openapi::configure(c, openapi_json))
            .default_service(web::to(api_error::route_not_found));
    }
}

/// The one route of SPEC §8, with its OpenAPI operation.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(hooks::receive);
}
