//! Hostile user tokens, hand-assembled so a test can present exactly what an attacker
//! would: `alg: none`, another algorithm's header over the HS secret (algorithm
//! confusion), HS384/HS512 with the right secret, claims of the wrong shape. Each one is a
//! token the services must answer with 401.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use navsync_platform::settings::DEV_JWT_SECRET;
use serde_json::{Value, json};
use uuid::Uuid;

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// `header.claims.signature`, the signature HMAC-SHA-`alg` over the first two parts with
/// `secret` (whatever the header claims the algorithm is).
pub fn hmac_token(header: &Value, claims: &Value, alg: Algorithm, secret: &str) -> String {
    let message = format!("{}.{}", b64(header), b64(claims));
    let key = match EncodingKey::from_secret(secret.as_bytes()) {
        Ok(key) => key,
        Err(e) => panic!("hmac key: {e}"),
    };
    match jsonwebtoken::crypto::sign(message.as_bytes(), &key, alg) {
        Ok(signature) => format!("{message}.{signature}"),
        Err(e) => panic!("hmac sign: {e}"),
    }
}

/// Claims that would be accepted if the token were honestly signed.
pub fn good_claims(company_id: Uuid) -> Value {
    json!({
        "sub": "attacker",
        "company_id": company_id,
        "roles": ["CompanyAdmin"],
        "exp": chrono::Utc::now().timestamp() + 3600,
    })
}

/// Every forged or malformed token, named, for `company_id`. None of them may pass.
pub fn hostile_tokens(company_id: Uuid) -> Vec<(&'static str, String)> {
    let claims = good_claims(company_id);
    let with = |patch: Value| {
        let mut c = claims.clone();
        if let (Some(c), Some(p)) = (c.as_object_mut(), patch.as_object()) {
            for (k, v) in p {
                if v.is_null() {
                    c.remove(k);
                } else {
                    c.insert(k.clone(), v.clone());
                }
            }
        }
        c
    };
    let hs = |header: Value, claims: &Value| {
        hmac_token(&header, claims, Algorithm::HS256, DEV_JWT_SECRET)
    };
    let good_hs256 = hs(json!({"alg": "HS256", "typ": "JWT"}), &claims);
    let unsigned = |alg: &str| {
        format!(
            "{}.{}.",
            b64(&json!({"alg": alg, "typ": "JWT"})),
            b64(&claims)
        )
    };
    let mut parts = good_hs256.splitn(3, '.');
    let (h, c) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    vec![
        ("alg none", unsigned("none")),
        ("alg None", unsigned("None")),
        ("alg NONE", unsigned("NONE")),
        (
            "alg none with the HS256 signature kept",
            format!(
                "{}.{}",
                b64(&json!({"alg": "none", "typ": "JWT"})),
                good_hs256.split_once('.').map(|x| x.1).unwrap_or_default()
            ),
        ),
        (
            "RS256 header, HMAC over the secret (algorithm confusion)",
            hs(json!({"alg": "RS256", "typ": "JWT"}), &claims),
        ),
        (
            "ES256 header, HMAC over the secret (algorithm confusion)",
            hs(json!({"alg": "ES256", "typ": "JWT"}), &claims),
        ),
        (
            "PS256 header, HMAC over the secret",
            hs(json!({"alg": "PS256", "typ": "JWT"}), &claims),
        ),
        (
            "EdDSA header, HMAC over the secret",
            hs(json!({"alg": "EdDSA", "typ": "JWT"}), &claims),
        ),
        (
            "HS384 with the right secret",
            hmac_token(
                &json!({"alg": "HS384"}),
                &claims,
                Algorithm::HS384,
                DEV_JWT_SECRET,
            ),
        ),
        (
            "HS512 with the right secret",
            hmac_token(
                &json!({"alg": "HS512"}),
                &claims,
                Algorithm::HS512,
                DEV_JWT_SECRET,
            ),
        ),
        (
            "HS256 signed with another secret",
            hmac_token(
                &json!({"alg": "HS256"}),
                &claims,
                Algorithm::HS256,
                "guessed-secret",
            ),
        ),
        (
            "HS256 signed with a one-byte secret",
            hmac_token(&json!({"alg": "HS256"}), &claims, Algorithm::HS256, "x"),
        ),
        ("signature stripped", format!("{h}.{c}.")),
        ("two parts", format!("{h}.{c}")),
        ("four parts", format!("{good_hs256}.x")),
        (
            "signature tampered",
            format!("{h}.{c}.AAAA{}", "A".repeat(39)),
        ),
        (
            "claims swapped after signing",
            format!(
                "{h}.{}.{}",
                b64(&with(json!({"company_id": Uuid::new_v4()}))),
                good_hs256.rsplit('.').next().unwrap_or_default()
            ),
        ),
        (
            "expired",
            hs(
                json!({"alg": "HS256"}),
                &with(json!({"exp": 1_000_000_000})),
            ),
        ),
        (
            "no exp",
            hs(json!({"alg": "HS256"}), &with(json!({"exp": null}))),
        ),
        (
            "no sub",
            hs(json!({"alg": "HS256"}), &with(json!({"sub": null}))),
        ),
        (
            "exp as a string",
            hs(json!({"alg": "HS256"}), &with(json!({"exp": "never"}))),
        ),
        (
            "company_id not a uuid",
            hs(json!({"alg": "HS256"}), &with(json!({"company_id": "*"}))),
        ),
        (
            "company_id missing",
            hs(json!({"alg": "HS256"}), &with(json!({"company_id": null}))),
        ),
        (
            "roles a string",
            hs(
                json!({"alg": "HS256"}),
                &with(json!({"roles": "CompanyAdmin"})),
            ),
        ),
        (
            "another audience",
            hs(
                json!({"alg": "HS256"}),
                &with(json!({"aud": "another-service"})),
            ),
        ),
        (
            "not yet valid (nbf in an hour)",
            hs(
                json!({"alg": "HS256"}),
                &with(json!({"nbf": chrono::Utc::now().timestamp() + 3600})),
            ),
        ),
        (
            "jwk header carrying its own key",
            hmac_token(
                &json!({"alg": "HS256", "jwk": {"kty": "oct", "k": "YQ"}}),
                &claims,
                Algorithm::HS256,
                "a",
            ),
        ),
        ("not base64", "%%%.%%%.%%%".to_owned()),
        (
            "header not json",
            format!("{}.{c}.", URL_SAFE_NO_PAD.encode("not json")),
        ),
        ("empty parts", "..".to_owned()),
        ("garbage", "not-a-jwt".to_owned()),
        (
            "very long",
            format!("{h}.{}.{}", "A".repeat(60_000), "A".repeat(43)),
        ),
    ]
}
