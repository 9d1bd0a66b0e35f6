//! The checks every ADO route makes before its own work, in ADO's order: the
//! organization exists, the PAT is good (refused in the organization's configured
//! shape), the api-version is usable, the PAT holds the route's scope.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::ado_error::AdoError;
use crate::api_version;
use crate::pat_auth::{authenticate, require_scope};
use crate::state::{Identity, Organization};

/// What a route asks of a request.
pub(super) struct Needs {
    pub(super) api_version: bool,
    pub(super) scope: Option<&'static str>,
}

pub(super) const READ_PROJECTS: Needs = Needs {
    api_version: true,
    scope: Some("vso.project"),
};
pub(super) const READ_WORK: Needs = Needs {
    api_version: true,
    scope: Some("vso.work"),
};
pub(super) const WRITE_WORK: Needs = Needs {
    api_version: true,
    scope: Some("vso.work_write"),
};
pub(super) const READ_HOOKS: Needs = Needs {
    api_version: true,
    scope: Some("vso.hooks"),
};
pub(super) const WRITE_HOOKS: Needs = Needs {
    api_version: true,
    scope: Some("vso.hooks_write"),
};

/// The identity of an authorized request.
pub(super) fn authorize(
    req: &HttpRequest,
    org: &Organization,
    needs: &Needs,
) -> Result<Identity, actix_web::Error> {
    let pat = authenticate(req, org)?;
    if needs.api_version {
        api_version::require(req)?;
    }
    if let Some(scope) = needs.scope {
        require_scope(org, pat, scope)?;
    }
    Ok(pat.identity.clone())
}

/// The write routes of work items take JSON Patch only; anything else is ADO's 415.
pub(super) fn require_json_patch(req: &HttpRequest) -> Result<(), AdoError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json-patch+json") {
        Ok(())
    } else {
        Err(AdoError::unsupported_content_type(
            content_type,
            req.method().as_str(),
        ))
    }
}
