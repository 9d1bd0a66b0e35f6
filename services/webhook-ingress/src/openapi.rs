//! The service's OpenAPI document, served at `GET /openapi.json` (issue #10): generated
//! from the webhook handler's `#[utoipa::path]` operation as `routes::api` registers it.
//! Its security scheme is HTTP Basic: ADO's Web Hooks consumer sends the Webhook Client
//! Secret as the password.
//!
//! The test below asks actix-web which routes the app really serves and fails on any
//! route served but undocumented, or documented but not served.

use navsync_platform::openapi::Shared;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{KnownFormat, RefOr, Schema, SchemaFormat};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

/// The security scheme of `POST /hooks/ado/{integration_id}`.
pub const WEBHOOK_BASIC: &str = "webhook_basic";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "navsync webhook-ingress",
        description = "Receives Azure DevOps service hook calls (SPEC §8): authenticates them, publishes `ado.work_item.*` events durably, and answers 200 only once the broker confirmed; 503 with `Retry-After` otherwise, so that ADO delivers again. Every error answers `{\"error\": {\"code\", \"message\"}}`."
    ),
    tags((name = "webhooks", description = "Called by ADO's Web Hooks consumer.")),
    modifiers(&Shared, &BasicAuth)
)]
struct Document;

struct BasicAuth;

impl Modify for BasicAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut basic = Http::new(HttpAuthScheme::Basic);
        basic.description = Some(
            "Any user name; the password is the integration's Webhook Client Secret.".to_owned(),
        );
        components.add_security_scheme(WEBHOOK_BASIC, SecurityScheme::Http(basic));
    }
}

/// The body ADO posts. Read leniently (`crate::payload`): any JSON object is taken, and
/// only these fields mean anything.
pub struct ServiceHookEvent;

impl PartialSchema for ServiceHookEvent {
    fn schema() -> RefOr<Schema> {
        let string = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::String));
        let object = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::Object));
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some("An ADO service hook notification."))
            .property(
                "eventType",
                string().examples(["workitem.updated", "workitem.deleted", "workitem.restored"]),
            )
            .property(
                "subscriptionId",
                string().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
            )
            .property(
                "notificationId",
                ObjectBuilder::new().schema_type(SchemaType::Type(Type::Integer)),
            )
            .property("id", string())
            .property("resource", object())
            .property("resourceVersion", string())
            .property("resourceContainers", object())
            .property("createdDate", string())
            .into()
    }
}

impl ToSchema for ServiceHookEvent {}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    navsync_platform::openapi::document(Document::openapi(), crate::routes::api)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use navsync_messaging::Broker;
    use navsync_platform::health;
    use navsync_test_support::route_census::{assert_documented, dangling_refs};
    use secrecy::SecretString;

    use super::*;
    use crate::auth::SecretDigest;
    use crate::config::IngressSettings;
    use crate::directory::Directory;
    use crate::limiter::Limiter;
    use crate::state::SharedState;

    fn json() -> serde_json::Value {
        serde_json::to_value(document()).expect("the document is JSON")
    }

    #[actix_web::test]
    async fn the_document_lists_every_route_the_app_serves_and_no_other() {
        // A broker and a directory that are never reached: no request of the census
        // carries Basic credentials.
        let ingress = IngressSettings::default();
        let broker = Broker::new(SecretString::from("amqp://nobody@127.0.0.1:1/x"), "census");
        let state = SharedState {
            directory: Directory::new("http://127.0.0.1:1", SecretString::from("s"), &ingress)
                .expect("a directory"),
            broker,
            limiter: Arc::new(Limiter::new(1, 1)),
            unknown_secret: SecretDigest::random(),
            publish_timeout: Duration::from_millis(10),
            retry_after_secs: 1,
        };
        let routes = crate::routes::configure(
            state,
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
