//! The route table: ADO's routes (recorded, open to faults, latency and rate limits) and
//! the `/_emulator` control API, as one function that needs no socket, so handlers can
//! be tested in process and the binary and [`crate::Emulator::start`] serve the very
//! same table.

mod access;
mod control;
mod control_hooks;
mod control_work;
mod core;
mod hooks;
mod recycle_bin;
mod wiql;
mod work_item_types;
mod work_items;

use actix_web::middleware::from_fn;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::ado_error::AdoError;
use crate::emulator::Emulator;

/// Largest control API body (a seed of many organizations).
const CONTROL_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Largest ADO request body (a work item with a long HTML description).
const ADO_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Mounts the emulator. Mount it after any other routes of the same app: its ADO scope
/// answers every path that nothing before it matched, with ADO's 404.
pub fn configure(emulator: Emulator) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(emulator))
            .service(
                web::scope("/_emulator")
                    .app_data(web::PayloadConfig::new(CONTROL_BODY_LIMIT))
                    .configure(control::configure)
                    .configure(control_work::configure)
                    .configure(control_hooks::configure)
                    .default_service(web::to(route_not_found)),
            )
            .service(
                web::scope("")
                    .app_data(web::PayloadConfig::new(ADO_BODY_LIMIT))
                    .wrap(from_fn(crate::pipeline::ado_request))
                    .configure(core::configure)
                    .configure(work_items::configure)
                    .configure(recycle_bin::configure)
                    .configure(wiql::configure)
                    .configure(work_item_types::configure)
                    .configure(hooks::configure)
                    .default_service(web::to(route_not_found)),
            );
    }
}

async fn route_not_found(req: HttpRequest) -> HttpResponse {
    AdoError::route_not_found(req.method().as_str(), req.path()).error_response()
}

/// `{base}` as the client sees it, for the URLs inside answers.
fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// A query parameter by name (ADO treats names case-insensitively), percent-decoded.
fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()?
        .into_inner()
        .into_iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

/// A boolean query parameter (`validateOnly=true`).
fn query_flag(req: &HttpRequest, name: &str) -> bool {
    query_param(req, name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}
