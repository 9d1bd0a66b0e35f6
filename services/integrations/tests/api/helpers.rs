//! Spawns the service under test next to an in-process ADO emulator.

use navsync_ado_emulator::{Emulator, RunningEmulator};
use navsync_integrations::Application;

use navsync_contracts::exchange;
use navsync_messaging::Broker;
use navsync_test_support::{Captured, CapturedLogs, TestDatabase, TestVhost, observe, token};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A PAT with every scope, accepted by every seeded organization.
pub const GOOD_PAT: &str = "goodpat0goodpat1goodpat2goodpat3goodpat4goodpat5goodpat6goodAZDOpat7";
/// A PAT that authenticates but lacks "Project and Team: Read".
pub const SCOPELESS_PAT: &str = "scopelesspat0scopelesspat1scopelesspat2scopelesspat3AZDOxyz";
/// A PAT no organization knows.
pub const UNKNOWN_PAT: &str = "unknownpat0unknownpat1unknownpat2unknownpat3unknownAZDOqrs";
pub const SERVICE_TOKEN: &str = navsync_platform::settings::DEV_SERVICE_TOKEN;

pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    pub company_id: Uuid,
    pub admin_token: String,
    pub emulator: RunningEmulator,
    pub db: TestDatabase,
    pub vhost: TestVhost,
    /// Everything published to `navigator.integrations`.
    pub events: Captured,
    pub logs: CapturedLogs,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub fn seed() -> Value {
    json!({"organizations": [
        {"name": "p2anav-dev", "process": "Agile", "projects": ["Alpha"],
         "pats": [GOOD_PAT, {"token": SCOPELESS_PAT, "scopes": ["vso.work_write"]}]},
        {"name": "two-projects", "process": "Scrum", "projects": ["Alpha", "Beta"],
         "pats": [GOOD_PAT]},
        {"name": "signin-page", "auth_failure": "203", "projects": ["Alpha"], "pats": [GOOD_PAT]},
        {"name": "signin-redirect", "auth_failure": "302", "projects": ["Alpha"], "pats": [GOOD_PAT]},
        {"name": "scope-forbidden", "scope_failure": "403", "projects": ["Alpha"],
         "pats": [{"token": SCOPELESS_PAT, "scopes": ["vso.work_write"]}]}
    ]})
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Spawns the service with extra `NAVSYNC_*` settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let emulator = Emulator::new();
    emulator
        .seed(serde_json::from_value(seed()).expect("seed shape"))
        .expect("seed accepted");
    let emulator = emulator
        .start("127.0.0.1", 0)
        .await
        .expect("emulator starts");
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let mut vars: Vec<(&str, &str)> = vec![("NAVSYNC_AMQP__URL", vhost.url())];
    let base_url = emulator.base_url.clone();
    let has_ado = extra.iter().any(|(k, _)| *k == "NAVSYNC_ADO__BASE_URL");
    if !has_ado {
        vars.push(("NAVSYNC_ADO__BASE_URL", &base_url));
    }
    vars.extend_from_slice(extra);
    let settings = navsync_test_support::settings(&db, &base_url, &vars);
    let logs = CapturedLogs::install(&settings);
    let app = Application::build(settings).await.expect("service builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let shutdown = CancellationToken::new();
    let broker = Broker::new(vhost.url().to_owned().into(), "test-observer");
    navsync_messaging::topology::declare_navsync(&broker)
        .await
        .expect("topology");
    let events = observe(&broker, exchange::INTEGRATIONS, &shutdown).await;
    tokio::spawn(app.run_until_stopped(shutdown.clone()));
    let company_id = Uuid::new_v4();
    TestApp {
        address,
        http: reqwest::Client::new(),
        company_id,
        admin_token: token(company_id).encode(),
        emulator,
        db,
        vhost,
        events,
        logs,
        shutdown,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// What `/metrics` shows now.
    pub async fn metrics_text(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("text")
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body read");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.send(method, path, Some(&self.admin_token), body).await
    }

    pub async fn create(&self, organization: &str, pat: &str) -> (u16, Value) {
        self.admin(
            reqwest::Method::POST,
            "/v1/integrations",
            Some(json!({"organization": organization, "pat": pat})),
        )
        .await
    }

    /// Creates the standard integration and returns its id.
    pub async fn create_ok(&self) -> String {
        let (status, body) = self.create("p2anav-dev", GOOD_PAT).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    pub async fn reveal(&self, id: &str, field: &str) -> String {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                &format!("/v1/integrations/{id}/reveal"),
                Some(json!({ "field": field })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["value"].as_str().expect("value").to_owned()
    }

    pub async fn audit_actions(&self, id: &str) -> Vec<String> {
        let (status, body) = self
            .admin(
                reqwest::Method::GET,
                &format!("/v1/integrations/{id}/audit"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["action"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// How many integrations the company has, read through the API.
    pub async fn count(&self) -> usize {
        let (_, body) = self
            .admin(reqwest::Method::GET, "/v1/integrations", None)
            .await;
        body["items"].as_array().map(Vec::len).unwrap_or(0)
    }

    pub async fn fault(&self, fault: Value) {
        let res = self
            .http
            .post(format!("{}/_emulator/faults", self.emulator.base_url))
            .json(&fault)
            .send()
            .await
            .expect("fault sent");
        assert!(res.status().is_success(), "fault refused: {}", res.status());
    }
}

pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}
