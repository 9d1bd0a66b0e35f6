//! User tokens signed with the development JWT secret, the one test settings use.

use navsync_platform::auth::{COMPANY_ADMIN, Claims, mint_token};
use navsync_platform::settings::DEV_JWT_SECRET;
use uuid::Uuid;

/// A token to build: who, which company, which roles, when it expires, what key signs it.
pub struct Token {
    pub claims: Claims,
    pub secret: String,
}

/// A company admin's token valid for an hour.
pub fn token(company_id: Uuid) -> Token {
    Token {
        claims: Claims {
            sub: format!("user-{}", Uuid::new_v4().simple()),
            company_id,
            roles: vec![COMPANY_ADMIN.to_owned()],
            exp: chrono::Utc::now().timestamp() + 3600,
        },
        secret: DEV_JWT_SECRET.to_owned(),
    }
}

impl Token {
    pub fn roles(mut self, roles: &[&str]) -> Self {
        self.claims.roles = roles.iter().map(|r| (*r).to_owned()).collect();
        self
    }

    pub fn expired(mut self) -> Self {
        self.claims.exp = chrono::Utc::now().timestamp() - 3600;
        self
    }

    pub fn signed_with(mut self, secret: &str) -> Self {
        self.secret = secret.to_owned();
        self
    }

    pub fn encode(&self) -> String {
        match mint_token(&self.secret, &self.claims) {
            Ok(token) => token,
            Err(err) => panic!("cannot sign test token: {err}"),
        }
    }
}
