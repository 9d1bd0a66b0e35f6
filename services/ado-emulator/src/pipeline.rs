//! What happens to every request on an ADO route before and after its handler: it is
//! written to the request log (with the identity its PAT maps to, never the PAT), and an
//! injected fault may delay it or answer in its place.
//!
//! One middleware does both so that a faulted request is logged with the status it got.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::ado_error::AdoError;
use crate::emulator::Emulator;
use crate::pat_auth::presented_pat;
use crate::request_log::RecordedRequest;
use crate::state::Inner;

pub(crate) async fn ado_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(emulator) = req.app_data::<web::Data<Emulator>>().cloned() else {
        // Mounted without its state: nothing to record or fault.
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let method = req.method().as_str().to_owned();
    let path = req.path().to_owned();
    let (seq, fault) = {
        let mut state = emulator.state().lock();
        let identity = identify(&state, &path, req.headers());
        let seq = state.log.begin(RecordedRequest {
            seq: 0,
            at: chrono::Utc::now(),
            method: method.clone(),
            path: path.clone(),
            query: req.query_string().to_owned(),
            has_authorization: req.headers().contains_key(header::AUTHORIZATION),
            identity,
            status: None,
        });
        (seq, state.faults.take(&method, &path))
    };

    if let Some(fault) = fault {
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if let Some(status) = fault.status {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut error = AdoError::injected(status);
            if let Some(secs) = fault.retry_after {
                error = error.with_header(header::RETRY_AFTER, secs.to_string());
            }
            emulator
                .state()
                .lock()
                .log
                .finish(seq, error.status().as_u16());
            return Ok(req.into_response(error.error_response()));
        }
    }

    let result = next.call(req).await;
    let status = match &result {
        Ok(res) => res.status(),
        Err(err) => err.as_response_error().status_code(),
    };
    emulator.state().lock().log.finish(seq, status.as_u16());
    result.map(ServiceResponse::map_into_boxed_body)
}

/// The `unique_name` behind the request's PAT, if the organization in its first path
/// segment knows that PAT. For the log only; handlers authenticate for themselves.
fn identify(state: &Inner, path: &str, headers: &HeaderMap) -> Option<String> {
    let org_name = path.trim_start_matches('/').split('/').next()?;
    let org = state.org(org_name)?;
    let token = presented_pat(headers)?;
    org.pat(&token).map(|pat| pat.identity.unique_name.clone())
}
