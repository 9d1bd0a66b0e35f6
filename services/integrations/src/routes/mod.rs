//! The route table, a function that needs no socket so that tests can run it in process.

mod admin;
mod attention;
mod internal;
mod page;
mod self_healing;

use actix_web::{middleware, web};
use navsync_platform::{api_error, auth::Authenticator, health};

use crate::state::AppState;

/// Request bodies of this service are small settings documents.
const BODY_LIMIT: usize = 64 * 1024;

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
            .service(
                web::scope("/v1/integrations")
                    .wrap(middleware::DefaultHeaders::new().add(("Cache-Control", "no-store")))
                    .configure(admin::configure)
                    .configure(self_healing::configure),
            )
            .service(web::scope("/internal/v1").configure(internal::configure))
            .configure(page::configure)
            .default_service(web::to(api_error::route_not_found));
    }
}
