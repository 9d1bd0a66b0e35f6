//! The service's OpenAPI document, served at `GET /openapi.json` (issue #10): generated
//! from the handlers' `#[utoipa::path]` operations as `routes::api` registers them, so
//! the routes and the document come from one list. The shared pieces (error body,
//! security schemes, common answers) come from `navsync_platform::openapi`.
//!
//! The test below asks actix-web which routes the app really serves and fails on any
//! route served but undocumented, or documented but not served.

use navsync_platform::openapi::Shared;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "navsync action-items",
        description = "Navigator action items (SPEC §6), for any user of the company (a user JWT). Every change is published as an `action_item.*.v1` event through a transactional outbox. Every error answers `{\"error\": {\"code\", \"message\"}}`."
    ),
    tags((name = "action-items", description = "Action items of the caller's company.")),
    modifiers(&Shared)
)]
struct Document;

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    navsync_platform::openapi::document(Document::openapi(), crate::routes::api)
}

#[cfg(test)]
mod tests {
    use navsync_platform::auth::Authenticator;
    use navsync_platform::{db, health};
    use navsync_test_support::route_census::{assert_documented, dangling_refs};
    use secrecy::SecretString;

    use super::*;
    use crate::state::AppState;

    fn json() -> serde_json::Value {
        serde_json::to_value(document()).expect("the document is JSON")
    }

    #[actix_web::test]
    async fn the_document_lists_every_route_the_app_serves_and_no_other() {
        // A pool that is never used: no request of the census gets past authentication.
        let pool = db::pool(&SecretString::from("postgres://nobody@127.0.0.1:1/none"), 1)
            .expect("a lazy pool");
        let state = AppState {
            pool,
            relay_wake: Default::default(),
        };
        let auth = Authenticator::new(&SecretString::from("k"), SecretString::from("s"))
            .expect("an authenticator");
        let routes = crate::routes::configure(
            state,
            auth,
            health::Readiness::new(),
            navsync_platform::openapi::to_json(&document()).expect("serializes"),
        );
        // Nothing but the probes every service serves goes undocumented.
        assert_documented(routes, &json(), &[]).await;
    }

    #[test]
    fn every_reference_of_the_document_resolves() {
        assert_eq!(dangling_refs(&json()), Vec::<String>::new());
    }
}
