//! The api-version rule: every `_apis` call but connectionData names a version, in the
//! query string (`?api-version=7.1`) or in `Accept` (`application/json; api-version=7.1`).
//! A missing one is ADO's 400 `VssVersionNotSpecifiedException`; a version newer than the
//! service knows, or a preview version without `-preview`, is refused as ADO refuses it.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::ado_error::AdoError;

/// The newest version dev.azure.com serves: 7.1 released, 7.2 as a preview.
const LATEST: (u32, u32) = (7, 2);

/// The api-version the request names, the query string first.
pub(crate) fn requested(req: &HttpRequest) -> Option<String> {
    from_query(req.query_string()).or_else(|| {
        req.headers()
            .get_all(header::ACCEPT)
            .filter_map(|v| v.to_str().ok())
            .find_map(from_accept)
    })
}

fn from_query(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.eq_ignore_ascii_case("api-version")
            .then(|| value.trim().to_owned())
            .filter(|v| !v.is_empty())
    })
}

fn from_accept(accept: &str) -> Option<String> {
    accept
        .split([',', ';'])
        .filter_map(|param| param.trim().split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("api-version"))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// Refuses a request without a usable api-version.
pub(crate) fn require(req: &HttpRequest) -> Result<(), AdoError> {
    let version =
        requested(req).ok_or_else(|| AdoError::version_not_specified(req.method().as_str()))?;
    check(&version)
}

fn check(version: &str) -> Result<(), AdoError> {
    let (number, preview) = match version.split_once('-') {
        Some((number, tag)) => (number, Some(tag)),
        None => (version, None),
    };
    let parsed = number
        .split_once('.')
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)));
    let preview_ok = preview.is_none_or(|tag| {
        tag.strip_prefix("preview").is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .strip_prefix('.')
                    .is_some_and(|n| n.parse::<u32>().is_ok())
        })
    });
    let Some((major, minor)) = parsed.filter(|_| preview_ok) else {
        return Err(AdoError::invalid_version(version));
    };
    if (major, minor) > LATEST {
        return Err(AdoError::version_out_of_range(
            number,
            &format!("{}.{}", LATEST.0, LATEST.1),
        ));
    }
    if (major, minor) == LATEST && preview.is_none() {
        return Err(AdoError::preview_flag_missing(number));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_found_in_the_query_string_in_any_case() {
        assert_eq!(from_query("a=1&api-version=7.1").as_deref(), Some("7.1"));
        assert_eq!(
            from_query("API-Version=5.0-preview.1").as_deref(),
            Some("5.0-preview.1")
        );
        assert_eq!(from_query("api-version="), None);
        assert_eq!(from_query("x-api-version=7.1"), None);
    }

    #[test]
    fn the_version_is_found_in_an_accept_parameter() {
        assert_eq!(
            from_accept("application/json; api-version=7.1").as_deref(),
            Some("7.1")
        );
        assert_eq!(
            from_accept("application/json;api-version=7.1-preview.3").as_deref(),
            Some("7.1-preview.3")
        );
        assert_eq!(from_accept("application/json"), None);
    }

    #[test]
    fn released_and_preview_versions_up_to_the_latest_are_accepted() {
        for ok in [
            "7.1",
            "5.0-preview.1",
            "7.2-preview",
            "7.2-preview.3",
            "1.0",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn versions_past_the_latest_or_malformed_are_refused() {
        assert!(check("7.3").is_err());
        assert!(check("7.2").is_err());
        assert!(check("seven").is_err());
        assert!(check("7.1-beta").is_err());
    }
}
