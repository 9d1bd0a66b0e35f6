//! Every navsync service in this process (each `Application::build` on port 0), the
//! emulator as ADO, one database and vhost; an integration with its service hook set up.
//! In one process one telemetry pipeline sees every service: the trace and log tests
//! install theirs before calling [`world`].

// Shared by several test binaries, each using a part.
#![allow(dead_code)]

use navsync_ado_emulator::{Emulator, RunningEmulator};
use navsync_test_support::{TestDatabase, TestVhost, token};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

pub const ORG: &str = "p2anav-world";
pub const PAT: &str = "worldpat0worldpat1worldpat2worldpat3worldpat4worldpat5worldpatAZDO6789";

pub struct World {
    pub emulator: RunningEmulator,
    pub integrations: String,
    pub action_items: String,
    pub ingress: String,
    pub sync: String,
    pub admin: String,
    pub integration_id: String,
    pub webhook_secret: String,
    pub http: reqwest::Client,
    pub shutdown: CancellationToken,
    pub db: TestDatabase,
    pub vhost: TestVhost,
}

impl Drop for World {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The settings of a service of this world, with `extra` `NAVSYNC_*` pairs.
pub fn settings(
    db: &TestDatabase,
    vhost: &TestVhost,
    ado: &str,
    extra: &[(&str, &str)],
) -> navsync_platform::Settings {
    let mut vars = vec![("NAVSYNC_AMQP__URL", vhost.url())];
    vars.extend_from_slice(extra);
    navsync_test_support::settings(db, ado, &vars)
}

pub async fn world() -> World {
    let emulator = Emulator::new();
    emulator
        .seed(
            serde_json::from_value(json!({"organizations": [
                {"name": ORG, "process": "Agile", "projects": ["Alpha"], "pats": [PAT]}
            ]}))
            .expect("seed shape"),
        )
        .expect("seeded");
    let emulator = emulator.start("127.0.0.1", 0).await.expect("emulator");
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let shutdown = CancellationToken::new();
    let ado = emulator.base_url.clone();

    let app = navsync_integrations::Application::build(settings(&db, &vhost, &ado, &[]))
        .await
        .expect("integrations");
    let integrations = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(shutdown.clone()));

    let app = navsync_action_items::Application::build(settings(&db, &vhost, &ado, &[]))
        .await
        .expect("action-items");
    let action_items = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(shutdown.clone()));

    let with_integrations = [
        ("NAVSYNC_INTEGRATIONS__URL", integrations.as_str()),
        ("NAVSYNC_INGRESS__SECRET_CACHE_TTL_SECS", "1"),
        ("NAVSYNC_SYNC__DIRECTORY_TTL_MS", "500"),
    ];
    let app = navsync_webhook_ingress::Application::build(
        settings(&db, &vhost, &ado, &with_integrations),
        navsync_webhook_ingress::IngressSettings {
            secret_cache_ttl_secs: 1,
            ..Default::default()
        },
    )
    .await
    .expect("webhook-ingress");
    let ingress = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(shutdown.clone()));

    let app = navsync_ado_sync::Application::build(settings(&db, &vhost, &ado, &with_integrations))
        .await
        .expect("ado-sync");
    let sync = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(shutdown.clone()));

    let http = reqwest::Client::new();
    let admin = token(uuid::Uuid::new_v4()).encode();
    let created: Value = http
        .post(format!("{integrations}/v1/integrations"))
        .bearer_auth(&admin)
        .json(&json!({"organization": ORG, "pat": PAT}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let integration_id = created["id"].as_str().expect("integration").to_owned();
    let revealed: Value = http
        .post(format!(
            "{integrations}/v1/integrations/{integration_id}/reveal"
        ))
        .bearer_auth(&admin)
        .json(&json!({"field": "webhook_secret"}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let webhook_secret = revealed["value"].as_str().expect("secret").to_owned();
    let res = http
        .post(format!(
            "{}/_emulator/organizations/{ORG}/subscriptions",
            emulator.base_url
        ))
        .json(
            &json!({"publisherId": "tfs", "eventType": "workitem.updated", "consumerId": "webHooks",
            "consumerActionId": "httpRequest", "publisherInputs": {"projectId": "Alpha"},
            "consumerInputs": {"url": format!("{ingress}/hooks/ado/{integration_id}"),
                "basicAuthUsername": "navsync", "basicAuthPassword": webhook_secret,
                "resourceDetailsToSend": "all"}}),
        )
        .send()
        .await
        .expect("sent");
    assert!(res.status().is_success(), "subscription: {}", res.status());
    World {
        emulator,
        integrations,
        action_items,
        ingress,
        sync,
        admin,
        integration_id,
        webhook_secret,
        http,
        shutdown,
        db,
        vhost,
    }
}

impl World {
    pub async fn create_item(&self, title: &str) -> String {
        let item: Value = self
            .http
            .post(format!("{}/v1/action-items", self.action_items))
            .bearer_auth(&self.admin)
            .json(&json!({"title": title, "status": "in_progress"}))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        item["id"].as_str().expect("action item").to_owned()
    }

    pub async fn item(&self, id: &str) -> Value {
        self.http
            .get(format!("{}/v1/action-items/{id}", self.action_items))
            .bearer_auth(&self.admin)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .unwrap_or(Value::Null)
    }

    /// A person edits the work item in ADO; the emulator calls the service hook.
    pub async fn edit_in_ado(&self, work_item: i64, fields: Value) {
        let res = self
            .http
            .post(format!(
                "{}/_emulator/organizations/{ORG}/workitems/{work_item}/edit",
                self.emulator.base_url
            ))
            .json(&json!({ "fields": fields }))
            .send()
            .await
            .expect("sent");
        assert!(res.status().is_success(), "edit in ADO: {}", res.status());
    }
}

pub use crate::common::eventually;
