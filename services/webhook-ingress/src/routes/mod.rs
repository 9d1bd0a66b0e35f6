//! The route table, a function that needs no socket so that tests can run it in process.

mod hooks;

use actix_web::web;
use navsync_platform::{api_error, health};

use crate::state::AppState;

pub fn configure(
    state: AppState,
    readiness: health::Readiness,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state))
            .configure(|c| health::configure(c, readiness))
            .route(
                "/hooks/ado/{integration_id}",
                web::post().to(hooks::receive),
            )
            .default_service(web::to(api_error::route_not_found));
    }
}
