//! PAT authentication the way dev.azure.com does it: `Authorization: Basic
//! base64(":" + PAT)` with the user name ignored, and the three shapes of refusal
//! (401 JSON, 203 HTML sign-in page, 302 to sign-in) that clients must all treat as
//! "PAT rejected". Scope checks live here too, because their refusal is configured per
//! organization just like the authentication failure.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use base64::Engine;

use crate::ado_error::AdoError;
use crate::seed::{AuthFailure, ScopeFailure};
use crate::state::{Organization, Pat};

const SIGN_IN: &str = "https://spsprodcus5.vssps.visualstudio.com/_signin";

/// The PAT carried by a request, if its `Authorization` header is Basic and well formed.
pub(crate) fn presented_pat(req_headers: &header::HeaderMap) -> Option<String> {
    let value = req_headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    // The user name before the first ':' is ignored; the PAT is everything after it.
    let (_user, pat) = text.split_once(':')?;
    (!pat.is_empty()).then(|| pat.to_owned())
}

/// The organization's PAT that the request presents, or the refusal the org is set to.
pub(crate) fn authenticate<'o>(
    req: &HttpRequest,
    org: &'o Organization,
) -> Result<&'o Pat, AuthRejection> {
    presented_pat(req.headers())
        .and_then(|token| org.pat(&token))
        .ok_or_else(|| AuthRejection {
            shape: org.auth_failure,
            suppress_redirect: asks_for_no_redirect(req),
            reply_to: requested_url(req),
        })
}

/// Whether the PAT holds `needed`; a wider scope of the same family counts
/// (`vso.project_write` holds `vso.project`), and a full-access PAT holds everything.
pub(crate) fn require_scope(org: &Organization, pat: &Pat, needed: &str) -> Result<(), AdoError> {
    let Some(scopes) = &pat.scopes else {
        return Ok(());
    };
    if scopes.iter().any(|held| grants(held, needed)) {
        return Ok(());
    }
    Err(match org.scope_failure {
        ScopeFailure::Unauthorized => AdoError::unauthorized(&pat.identity.id.to_string()),
        ScopeFailure::Forbidden => AdoError::missing_scope(needed),
    })
}

/// Levels within a scope family, lowest first: `vso.work` < `vso.work_write` <
/// `vso.work_manage` < `vso.work_full`.
fn split_scope(scope: &str) -> (&str, u8) {
    for (suffix, level) in [("_write", 1), ("_manage", 2), ("_full", 3)] {
        if let Some(family) = scope.strip_suffix(suffix) {
            return (family, level);
        }
    }
    (scope, 0)
}

fn grants(held: &str, needed: &str) -> bool {
    // `app_token` is the scope of a "Full access" PAT.
    if held == "app_token" || held == needed {
        return true;
    }
    let (held_family, held_level) = split_scope(held);
    let (needed_family, needed_level) = split_scope(needed);
    held_family == needed_family && held_level >= needed_level
}

fn asks_for_no_redirect(req: &HttpRequest) -> bool {
    req.headers()
        .get("X-TFS-FedAuthRedirect")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("suppress"))
}

fn requested_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}{}", info.scheme(), info.host(), req.uri())
}

/// A refused PAT, answered in the organization's configured shape.
#[derive(Debug)]
pub(crate) struct AuthRejection {
    shape: AuthFailure,
    suppress_redirect: bool,
    reply_to: String,
}

impl AuthRejection {
    fn sign_in_url(&self) -> String {
        format!(
            "{SIGN_IN}?realm=dev.azure.com&reply_to={}&redirect=1",
            percent_encode(&self.reply_to)
        )
    }

    fn as_json_401(&self) -> HttpResponse {
        AdoError::unauthorized("")
            .with_header(
                header::WWW_AUTHENTICATE,
                "Bearer authorization_uri=https://login.microsoftonline.com/common, \
                 Basic realm=\"https://dev.azure.com/\", TFS-Federated",
            )
            .error_response()
    }
}

impl std::fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PAT rejected ({:?})", self.shape)
    }
}

impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        match self.shape {
            AuthFailure::Unauthorized => StatusCode::UNAUTHORIZED,
            AuthFailure::SignInPage => StatusCode::NON_AUTHORITATIVE_INFORMATION,
            AuthFailure::Redirect if self.suppress_redirect => StatusCode::UNAUTHORIZED,
            AuthFailure::Redirect => StatusCode::FOUND,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self.shape {
            AuthFailure::Unauthorized => self.as_json_401(),
            AuthFailure::Redirect if self.suppress_redirect => self.as_json_401(),
            AuthFailure::Redirect => HttpResponse::Found()
                .insert_header((header::LOCATION, self.sign_in_url()))
                .insert_header((HeaderName::from_static("x-tfs-fedauthredirect"), "Redirect"))
                .finish(),
            AuthFailure::SignInPage => {
                HttpResponse::build(StatusCode::NON_AUTHORITATIVE_INFORMATION)
                    .content_type("text/html; charset=utf-8")
                    .body(sign_in_page(&self.sign_in_url()))
            }
        }
    }
}

/// The HTML that a browser-less client gets instead of JSON: a 2xx that is not a success.
fn sign_in_page(sign_in_url: &str) -> String {
    let href = sign_in_url.replace('&', "&amp;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>Azure DevOps Services | Sign In</title></head>\n<body>\n\
         <h1>Sign in to Azure DevOps</h1>\n\
         <p>You need to sign in to continue.</p>\n\
         <a id=\"signin\" href=\"{href}\">Sign in</a>\n</body>\n</html>\n"
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderMap, HeaderValue};

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("ascii"),
        );
        map
    }

    fn basic(user_and_pat: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_and_pat)
        )
    }

    #[test]
    fn the_pat_is_read_from_basic_auth_whatever_the_user_name() {
        assert_eq!(
            presented_pat(&headers(&basic(":abc"))).as_deref(),
            Some("abc")
        );
        assert_eq!(
            presented_pat(&headers(&basic("anyone:abc"))).as_deref(),
            Some("abc")
        );
        assert_eq!(
            presented_pat(&headers(&basic("u:a:b"))).as_deref(),
            Some("a:b")
        );
    }

    #[test]
    fn other_schemes_and_malformed_headers_carry_no_pat() {
        assert_eq!(presented_pat(&headers("Bearer abc")), None);
        assert_eq!(presented_pat(&headers("Basic !!!")), None);
        assert_eq!(presented_pat(&headers(&basic("no-colon"))), None);
        assert_eq!(presented_pat(&headers(&basic("user:"))), None);
    }

    #[test]
    fn a_wider_scope_of_the_same_family_is_enough() {
        assert!(grants("vso.project", "vso.project"));
        assert!(grants("vso.project_write", "vso.project"));
        assert!(grants("vso.project_manage", "vso.project_write"));
        assert!(grants("vso.work_write", "vso.work"));
        assert!(grants("app_token", "vso.project"));
        assert!(!grants("vso.work_write", "vso.project"));
        assert!(!grants("vso.project", "vso.project_write"));
    }

    #[test]
    fn the_reply_to_url_is_percent_encoded() {
        assert_eq!(
            percent_encode("http://h/a b?x=1&y"),
            "http%3A%2F%2Fh%2Fa%20b%3Fx%3D1%26y"
        );
    }
}
