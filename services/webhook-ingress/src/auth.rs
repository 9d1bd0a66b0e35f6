//! HTTP Basic authentication of ADO's calls. ADO signs nothing (ADO.md): the Webhook
//! Client Secret travels as the Basic password, so the comparison is all the protection
//! there is. It is done in constant time over SHA-256 digests, so neither the content nor
//! the length of the secret shows in the timing, and an unknown integration is checked
//! against a random digest the same way, so it cannot be told from a wrong secret.

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The SHA-256 of a secret: what the cache keeps instead of the secret itself.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretDigest([u8; 32]);

impl std::fmt::Debug for SecretDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretDigest(..)")
    }
}

impl SecretDigest {
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    /// A digest no password has a known preimage for: what an unknown integration is
    /// compared against.
    pub fn random() -> Self {
        Self(rand::random())
    }

    /// Whether `password` hashes to this digest, in constant time.
    pub fn matches(&self, password: &SecretString) -> bool {
        let candidate = Self::of(password.expose_secret());
        bool::from(self.0.ct_eq(&candidate.0))
    }
}

/// The password of an `Authorization: Basic` header (ADO ignores the user name, and so do
/// we). `None` when the header is missing or is not well-formed Basic credentials.
pub fn basic_password(req: &HttpRequest) -> Option<SecretString> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (_, password) = text.split_once(':')?;
    Some(SecretString::from(password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn basic(user_pass: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_pass)
        )
    }

    fn password(header: Option<&str>) -> Option<String> {
        let mut req = TestRequest::default();
        if let Some(h) = header {
            req = req.insert_header((AUTHORIZATION, h));
        }
        basic_password(&req.to_http_request()).map(|p| p.expose_secret().to_owned())
    }

    #[test]
    fn the_password_is_read_and_the_user_name_ignored() {
        assert_eq!(
            password(Some(&basic("ado:s3cret"))).as_deref(),
            Some("s3cret")
        );
        assert_eq!(password(Some(&basic(":s3cret"))).as_deref(), Some("s3cret"));
        assert_eq!(
            password(Some(&basic("ado:with:colons"))).as_deref(),
            Some("with:colons")
        );
        assert_eq!(password(Some(&basic("ado:"))).as_deref(), Some(""));
    }

    #[test]
    fn anything_but_well_formed_basic_credentials_is_none() {
        assert_eq!(password(None), None);
        assert_eq!(password(Some("Bearer abc")), None);
        assert_eq!(password(Some("Basic not-base64!")), None);
        assert_eq!(password(Some(&basic("no-colon"))), None);
        assert_eq!(password(Some("Basic")), None);
    }

    #[test]
    fn a_digest_matches_its_own_secret_only() {
        let digest = SecretDigest::of("the-secret");
        assert!(digest.matches(&SecretString::from("the-secret")));
        assert!(!digest.matches(&SecretString::from("the-secreT")));
        assert!(!digest.matches(&SecretString::from("")));
        assert!(!SecretDigest::random().matches(&SecretString::from("")));
        assert_eq!(format!("{digest:?}"), "SecretDigest(..)");
    }
}
