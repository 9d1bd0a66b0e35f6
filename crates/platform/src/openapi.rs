//! What every service's OpenAPI document shares (issue #10): the error body of SPEC §4,
//! the answers every API gives alike (401, 403, 404, a body that is not JSON, too large
//! or of another type), the two security schemes, and the route that serves a document
//! at `GET /openapi.json` without authentication.
//!
//! Each service generates its document from its handlers (`#[utoipa::path]`) and from
//! their registration (utoipa-actix-web's `scope` / `service`), so that the routes it
//! serves and the routes it documents come from one list; its own `openapi.rs` puts
//! these pieces around them and tests that nothing is served undocumented.

use actix_web::web::{self, Bytes};
use actix_web::{App, HttpResponse, http::header};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Type, schema::SchemaType,
};
use utoipa::{Modify, PartialSchema, ToSchema};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api_error::{ErrorBody, ErrorDetail};

/// The security scheme of user calls: `Authorization: Bearer <JWT>` (SPEC §4).
pub const USER_JWT: &str = "user_jwt";
/// The security scheme of calls between services: `Authorization: Bearer <service token>`.
pub const SERVICE_TOKEN: &str = "service_token";

/// Where a document is served.
pub const PATH: &str = "/openapi.json";

/// Adds what every document shares: the security schemes, the error body's schemas and
/// the shared answers below. Use as `#[openapi(modifiers(&Shared))]`.
pub struct Shared;

impl Modify for Shared {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut jwt = Http::new(HttpAuthScheme::Bearer);
        jwt.bearer_format = Some("JWT".to_owned());
        jwt.description = Some(
            "A Navigator user token: HS256, claims sub, company_id (UUID), roles, exp.".to_owned(),
        );
        components.add_security_scheme(USER_JWT, SecurityScheme::Http(jwt));
        let mut service = Http::new(HttpAuthScheme::Bearer);
        service.description = Some(
            "The service credential (NAVSYNC_AUTH__SERVICE_TOKEN) navsync services share."
                .to_owned(),
        );
        components.add_security_scheme(SERVICE_TOKEN, SecurityScheme::Http(service));

        components
            .schemas
            .insert(ErrorBody::name().into_owned(), ErrorBody::schema());
        let mut nested = Vec::new();
        ErrorBody::schemas(&mut nested);
        components.schemas.extend(nested);
        components
            .schemas
            .insert(ErrorDetail::name().into_owned(), ErrorDetail::schema());

        for (name, response) in [
            Unauthorized::entry(),
            Forbidden::entry(),
            NotFound::entry(),
            InvalidJson::entry(),
            PayloadTooLarge::entry(),
            UnsupportedMediaType::entry(),
        ] {
            components.responses.insert(name.to_owned(), response);
        }
    }
}

/// A string schema of exactly `values`, for `#[schema(schema_with = ...)]` on fields whose
/// values are constants of the code rather than a Rust enum.
pub fn string_enum(values: &[&str]) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(values.iter().copied()))
}

/// [`string_enum`], or `null`.
pub fn nullable_string_enum(values: &[&str]) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(
            values
                .iter()
                .map(|v| serde_json::Value::from(*v))
                .chain([serde_json::Value::Null]),
        ))
}

/// An answer with the error body.
pub fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(ErrorBody::name())))
                .build(),
        )
        .build()
}

/// An error answer with `Retry-After` (seconds), such as a 503.
pub fn retry_after_response(description: &str) -> Response {
    let mut response = error_response(description);
    response.headers.insert(
        header::RETRY_AFTER.as_str().to_owned(),
        HeaderBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Integer))
                    .minimum(Some(0)),
            ))
            .description(Some("Seconds to wait before trying again."))
            .build()
            .into(),
    );
    response
}

macro_rules! shared_response {
    ($(#[$doc:meta])* $name:ident, $description:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl $name {
            fn entry() -> (&'static str, RefOr<Response>) {
                (stringify!($name), RefOr::T(error_response($description)))
            }
        }

        impl<'s> utoipa::ToResponse<'s> for $name {
            fn response() -> (&'s str, RefOr<Response>) {
                $name::entry()
            }
        }
    };
}

shared_response!(
    /// 401 `unauthorized`.
    Unauthorized,
    "`unauthorized`: the bearer token or credential is missing, malformed, badly signed or expired."
);
shared_response!(
    /// 403 `forbidden`.
    Forbidden,
    "`forbidden`: the token lacks the role this needs (CompanyAdmin)."
);
shared_response!(
    /// 404 `not_found`.
    NotFound,
    "`not_found`: nothing of that id belongs to the caller's company (another company's is never revealed), or the id is not a UUID."
);
shared_response!(
    /// 400 `invalid_json` / `invalid_body`.
    InvalidJson,
    "`invalid_json` (the reason, with the field's path) or `invalid_body`: the body is not the JSON this takes."
);
shared_response!(
    /// 413 `payload_too_large`.
    PayloadTooLarge,
    "`payload_too_large`: the body is larger than this service takes."
);
shared_response!(
    /// 415 `unsupported_media_type`.
    UnsupportedMediaType,
    "`unsupported_media_type`: the body is not `application/json`."
);

/// The document as served: serialized once, at start.
pub fn to_json(document: &OpenApi) -> anyhow::Result<Bytes> {
    Ok(Bytes::from(document.to_json()?))
}

/// Mounts `GET /openapi.json`, with no authentication: the document holds no secret.
pub fn configure(cfg: &mut web::ServiceConfig, json: Bytes) {
    cfg.route(
        PATH,
        web::get().to(move || {
            let json = json.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .insert_header((header::CACHE_CONTROL, "no-cache"))
                    .body(json)
            }
        }),
    );
}

/// A service's whole document: `base` (its `#[openapi]` info, tags and modifiers) with
/// the operations of every handler `api` registers, read off the registration itself.
pub fn document(base: OpenApi, api: fn(&mut ServiceConfig)) -> OpenApi {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(base)
        .configure(api)
        .split_for_parts();
    document
}
