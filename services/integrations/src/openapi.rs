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
        title = "navsync integrations",
        description = "A company's Azure DevOps integration (SPEC §5): the company admin's API under `/v1/integrations` (a user JWT with the CompanyAdmin role), and the internal API other navsync services call under `/internal/v1` (the service credential). Every error answers `{\"error\": {\"code\", \"message\"}}`."
    ),
    tags(
        (name = "integrations", description = "The company admin's API."),
        (name = "internal", description = "For other navsync services only."),
    ),
    modifiers(&Shared)
)]
struct Document;

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    navsync_platform::openapi::document(Document::openapi(), crate::routes::api)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use navsync_ado_client::AdoClient;
    use navsync_platform::auth::Authenticator;
    use navsync_platform::{db, health};
    use navsync_test_support::route_census::{assert_documented, dangling_refs};
    use secrecy::SecretString;

    use super::*;
    use crate::crypto::SecretBox;
    use crate::state::AppState;

    /// Served on purpose without an OpenAPI operation besides the probes: the admin
    /// page's static files.
    const UNDOCUMENTED: &[(&str, &str)] = &[
        ("GET", "/settings/azure-devops"),
        ("GET", "/settings/azure-devops/"),
        ("GET", "/settings/azure-devops/app.js"),
        ("GET", "/settings/azure-devops/app.css"),
    ];

    fn json() -> serde_json::Value {
        serde_json::to_value(document()).expect("the document is JSON")
    }

    #[actix_web::test]
    async fn the_document_lists_every_route_the_app_serves_and_no_other() {
        // A pool and an ADO client that are never used: no request of the census gets
        // past authentication.
        let pool = db::pool(&SecretString::from("postgres://nobody@127.0.0.1:1/none"), 1)
            .expect("a lazy pool");
        let state = AppState {
            pool,
            ado: AdoClient::new("http://127.0.0.1:1", Duration::from_millis(100))
                .expect("a client"),
            secrets: SecretBox::new([7; 32], &[]).into(),
            webhook_base_url: "http://127.0.0.1:1".into(),
            outbox_wake: Default::default(),
        };
        let auth = Authenticator::new(&SecretString::from("k"), SecretString::from("s"))
            .expect("an authenticator");
        let routes = crate::routes::configure(
            state,
            auth,
            health::Readiness::new(),
            navsync_platform::openapi::to_json(&document()).expect("serializes"),
        );
        assert_documented(routes, &json(), UNDOCUMENTED).await;
    }

    #[test]
    fn every_reference_of_the_document_resolves() {
        assert_eq!(dangling_refs(&json()), Vec::<String>::new());
    }
}
