//! Authentication of SPEC §4 in one place: user JWTs (HS256) and the service credential
//! that services present to each other's internal APIs.
//!
//! Handlers take [`AuthUser`], [`CompanyAdmin`] or [`ServiceCaller`] as extractors; a
//! missing, malformed, badly signed or expired token is a 401 and a missing role a 403,
//! always in the SPEC's error body.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::ApiError;

pub const COMPANY_ADMIN: &str = "CompanyAdmin";

/// The claims navsync reads from a user token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub company_id: Uuid,
    pub roles: Vec<String>,
    pub exp: i64,
}

/// Verifies user tokens and service credentials; registered once as app data.
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<Inner>,
}

struct Inner {
    decoding: DecodingKey,
    validation: Validation,
    service_token: SecretString,
}

impl Authenticator {
    pub fn new(
        jwt_secret: &SecretString,
        service_token: SecretString,
    ) -> Result<Self, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = 5;
        // A token that says it is not valid yet is not valid (jsonwebtoken skips `nbf`
        // unless asked).
        validation.validate_nbf = true;
        Ok(Self {
            inner: Arc::new(Inner {
                decoding: DecodingKey::from_secret(jwt_secret.expose_secret().as_bytes())?,
                validation,
                service_token,
            }),
        })
    }

    pub fn verify_user(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.inner.decoding, &self.inner.validation)
            .map(|data| data.claims)
            .map_err(|_| ApiError::unauthorized())
    }

    pub fn verify_service(&self, token: &str) -> Result<(), ApiError> {
        let expected = self.inner.service_token.expose_secret().as_bytes();
        if bool::from(expected.ct_eq(token.as_bytes())) {
            Ok(())
        } else {
            Err(ApiError::unauthorized())
        }
    }
}

/// Signs a user token; used by the dev token tool and by tests.
pub fn mint_token(secret: &str, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes())?,
    )
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let value = value.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn authenticator(req: &HttpRequest) -> Result<&Authenticator, ApiError> {
    req.app_data::<web::Data<Authenticator>>()
        .map(|d| d.get_ref())
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("Authenticator is not registered")))
}

/// Any authenticated user of a company.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: String,
    pub company_id: Uuid,
    pub roles: Vec<String>,
}

impl AuthUser {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    fn from_request_sync(req: &HttpRequest) -> Result<Self, ApiError> {
        let token = bearer(req).ok_or_else(ApiError::unauthorized)?;
        let claims = authenticator(req)?.verify_user(token)?;
        Ok(Self {
            user_id: claims.sub,
            company_id: claims.company_id,
            roles: claims.roles,
        })
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::from_request_sync(req))
    }
}

/// A user with the `CompanyAdmin` role.
#[derive(Debug, Clone)]
pub struct CompanyAdmin(pub AuthUser);

impl FromRequest for CompanyAdmin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(AuthUser::from_request_sync(req).and_then(|user| {
            if user.has_role(COMPANY_ADMIN) {
                Ok(CompanyAdmin(user))
            } else {
                Err(ApiError::forbidden(
                    "This action needs the CompanyAdmin role.",
                ))
            }
        }))
    }
}

/// Another navsync service, authenticated with the shared service credential.
#[derive(Debug, Clone, Copy)]
pub struct ServiceCaller;

impl FromRequest for ServiceCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready((|| {
            let token = bearer(req).ok_or_else(ApiError::unauthorized)?;
            authenticator(req)?.verify_service(token)?;
            Ok(ServiceCaller)
        })())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> Authenticator {
        Authenticator::new(
            &SecretString::from("secret-one"),
            SecretString::from("svc-token"),
        )
        .expect("a non-empty secret")
    }

    fn claims(exp_offset: i64) -> Claims {
        Claims {
            sub: "u1".into(),
            company_id: Uuid::nil(),
            roles: vec![COMPANY_ADMIN.into()],
            exp: chrono::Utc::now().timestamp() + exp_offset,
        }
    }

    #[test]
    fn a_token_signed_with_the_key_is_accepted() {
        let token = mint_token("secret-one", &claims(600)).expect("mint");
        assert_eq!(auth().verify_user(&token).expect("valid").sub, "u1");
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let token = mint_token("secret-two", &claims(600)).expect("mint");
        assert!(auth().verify_user(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let token = mint_token("secret-one", &claims(-600)).expect("mint");
        assert!(auth().verify_user(&token).is_err());
    }

    #[test]
    fn alg_none_is_refused() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = b64.encode(serde_json::to_vec(&claims(600)).expect("json"));
        assert!(auth().verify_user(&format!("{header}.{body}.")).is_err());
    }

    #[test]
    fn the_service_token_is_compared_exactly() {
        assert!(auth().verify_service("svc-token").is_ok());
        assert!(auth().verify_service("svc-toke").is_err());
        assert!(auth().verify_service("").is_err());
    }
}
