//! The service's OpenAPI document, served at `GET /openapi.json` (issue #10): the internal
//! dead-letter API (`dead_letters`), generated from its handlers' `#[utoipa::path]`
//! operations as `routes::api` registers them.
//!
//! The test below asks actix-web which routes the app really serves and fails on any
//! route served but undocumented, or documented but not served.

use navsync_platform::openapi::Shared;
use utoipa::OpenApi;

use crate::dead_letters::BrokerUnavailable;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "navsync ado-sync",
        description = "ado-sync's internal API (the service credential): the dead letters of every durable queue of navsync, listed, re-driven or discarded, with an audit log. `make dlq` calls it. Every error answers `{\"error\": {\"code\", \"message\"}}`."
    ),
    tags((name = "dead-letters", description = "For operators, through navsync-dlq.")),
    components(responses(BrokerUnavailable)),
    modifiers(&Shared)
)]
struct Document;

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    navsync_platform::openapi::document(Document::openapi(), crate::routes::api)
}

#[cfg(test)]
mod tests {
    use actix_web::web;
    use navsync_messaging::{Broker, Publisher};
    use navsync_platform::auth::Authenticator;
    use navsync_platform::{db, health};
    use navsync_test_support::route_census::{assert_documented, dangling_refs};
    use secrecy::SecretString;

    use super::*;
    use crate::dead_letters::DeadLetters;

    fn json() -> serde_json::Value {
        serde_json::to_value(document()).expect("the document is JSON")
    }

    #[actix_web::test]
    async fn the_document_lists_every_route_the_app_serves_and_no_other() {
        // A pool and a broker that are never reached: no request of the census gets past
        // authentication.
        let broker = Broker::new(SecretString::from("amqp://nobody@127.0.0.1:1/x"), "census");
        let dead_letters = web::Data::new(DeadLetters {
            pool: db::pool(&SecretString::from("postgres://nobody@127.0.0.1:1/none"), 1)
                .expect("a lazy pool"),
            broker: broker.clone(),
            publisher: Publisher::new(broker),
        });
        let auth = Authenticator::new(&SecretString::from("k"), SecretString::from("s"))
            .expect("an authenticator");
        let routes = crate::routes::configure(
            auth,
            dead_letters,
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
