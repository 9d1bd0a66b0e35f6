//! Test helpers shared by every service's tests: a fresh PostgreSQL database and RabbitMQ
//! vhost per test (removed afterwards), settings pointing at it, user tokens, captured log
//! lines, and the route census that keeps each OpenAPI document complete.
#![forbid(unsafe_code)]

pub mod bench;
mod database;
mod debug_text;
pub mod forge;
mod logs;
mod observer;
pub mod route_census;
mod tokens;
mod vhost;

pub use database::TestDatabase;
pub use logs::CapturedLogs;
pub use observer::{Captured, observe};
pub use tokens::{Token, token};
pub use vhost::{BrokerConnection, TestVhost};

use navsync_platform::settings::{Needs, Settings};

/// Settings for a service under test: its own database, port 0, ADO at `ado_base_url`,
/// plus any `extra` `NAVSYNC_*` pairs.
pub fn settings(db: &TestDatabase, ado_base_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut vars = vec![
        ("NAVSYNC_DATABASE__URL".to_owned(), db.url().to_owned()),
        ("NAVSYNC_DATABASE__POOL_SIZE".to_owned(), "4".to_owned()),
        ("NAVSYNC_HTTP__PORT".to_owned(), "0".to_owned()),
        ("NAVSYNC_ADO__BASE_URL".to_owned(), ado_base_url.to_owned()),
        ("NAVSYNC_ADO__TIMEOUT_MS".to_owned(), "2000".to_owned()),
        (
            "NAVSYNC_HTTP__SHUTDOWN_TIMEOUT_SECS".to_owned(),
            "1".to_owned(),
        ),
    ];
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let needs = Needs {
        jwt_secret: true,
        service_token: true,
        crypto_key: true,
    };
    match Settings::load_from(0, needs, &vars) {
        Ok(settings) => settings,
        Err(err) => panic!("test settings: {err}"),
    }
}
