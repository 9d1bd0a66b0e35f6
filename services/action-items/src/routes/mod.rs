//! The route table, a function that needs no socket so that tests can run it in process.

mod items;

use actix_web::web;
use navsync_platform::{api_error, auth::Authenticator, health};

use crate::state::AppState;

/// A title, a 32 KiB description and the rest, with room for JSON escaping.
const BODY_LIMIT: usize = 256 * 1024;

pub fn configure(
    state: AppState,
    auth: Authenticator,
    readiness: health::Readiness,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state))
            .app_data(web::Data::new(auth))
            .app_data(api_error::json_config(BODY_LIMIT))
            .app_data(api_error::path_config())
            .app_data(api_error::query_config())
            .configure(|c| health::configure(c, readiness))
            .service(web::scope("/v1/action-items").configure(items::configure))
            .default_service(web::to(api_error::route_not_found));
    }
}
