//! Prints a user token signed with the configured `NAVSYNC_AUTH__JWT_SECRET`, for local
//! development and the demo: `navsync-dev-token [COMPANY_ID] [ROLE...]`.
//! Refuses to run when `NAVSYNC_ENV=production`.

use navsync_platform::auth::{COMPANY_ADMIN, Claims, mint_token};
use navsync_platform::settings::{self, Environment, Needs, Settings};
use secrecy::ExposeSecret;

/// The demo company of `make run`.
const DEMO_COMPANY: &str = "6f1c3a52-0b7e-4c3e-9f4a-2d5e8b9c0a01";

fn main() -> std::process::ExitCode {
    let settings = settings::exit_on_error(Settings::load(0, Needs::default()));
    if settings.env == Environment::Production {
        eprintln!("navsync-dev-token: refused when NAVSYNC_ENV=production");
        return std::process::ExitCode::FAILURE;
    }
    let mut args = std::env::args().skip(1);
    let company = args.next().unwrap_or_else(|| DEMO_COMPANY.to_owned());
    let Ok(company_id) = company.parse() else {
        eprintln!("navsync-dev-token: {company} is not a UUID");
        return std::process::ExitCode::FAILURE;
    };
    let mut roles: Vec<String> = args.collect();
    if roles.is_empty() {
        roles.push(COMPANY_ADMIN.to_owned());
    }
    let claims = Claims {
        sub: "dev-admin".to_owned(),
        company_id,
        roles,
        exp: chrono::Utc::now().timestamp() + 12 * 3600,
    };
    match mint_token(settings.auth.jwt_secret.expose_secret(), &claims) {
        Ok(token) => {
            println!("{token}");
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("navsync-dev-token: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
