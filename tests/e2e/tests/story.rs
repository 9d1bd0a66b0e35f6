//! SPEC §1's story across every service, each binary its own process, one database, one
//! vhost, the emulator as ADO; each step asserted on both sides.
//!
//! The binaries come from the workspace's target directory: `cargo nextest run
//! --workspace` (what `make test` runs) builds them for the services' own tests; when one
//! is missing this test builds it with cargo first.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine;
use navsync_test_support::{TestDatabase, TestVhost, token};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

const ORG: &str = "p2anav-e2e";
const PAT: &str = "e2epat0e2epat1e2epat2e2epat3e2epat4e2epat5e2epat6e2epat7e2epAZDO8e2epat9xy";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("debug")
}

async fn binary(name: &str) -> PathBuf {
    let path = target_dir().join(name);
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--bin", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .await
            .expect("cargo runs");
        assert!(status.success(), "cargo build --bin {name}");
    }
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Proc {
    /// Held so the process is killed when the test ends.
    _child: Child,
    url: String,
}

async fn start(name: &str, env: &[(&str, String)]) -> Proc {
    let port = free_port();
    let mut cmd = Command::new(binary(name).await);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NAVSYNC_HTTP__PORT", port.to_string())
        .env("NAVSYNC_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().unwrap_or_else(|e| panic!("{name} starts: {e}"));
    let url = format!("http://127.0.0.1:{port}");
    let ready = eventually(30, || async {
        reqwest::get(format!("{url}/readyz"))
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(ready, "{name} became ready");
    Proc { _child: child, url }
}

async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

struct Story {
    http: reqwest::Client,
    admin: String,
    emulator: Proc,
    integrations: Proc,
    action_items: Proc,
    ingress: Proc,
    _sync: Proc,
    vhost: TestVhost,
    _db: TestDatabase,
}

impl Story {
    async fn get(&self, url: String) -> (u16, Value) {
        let res = self
            .http
            .get(url)
            .bearer_auth(&self.admin)
            .send()
            .await
            .expect("sent");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn send(&self, method: reqwest::Method, url: String, body: Value) -> (u16, Value) {
        let res = self
            .http
            .request(method, url)
            .bearer_auth(&self.admin)
            .json(&body)
            .send()
            .await
            .expect("sent");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn item(&self, id: &str) -> (u16, Value) {
        self.get(format!("{}/v1/action-items/{id}", self.action_items.url))
            .await
    }

    async fn work_item(&self, id: i64) -> Value {
        self.http
            .get(format!(
                "{}/_emulator/organizations/{ORG}/workitems/{id}",
                self.emulator.url
            ))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .unwrap_or(Value::Null)
    }

    async fn person(&self, id: i64, action: &str, body: Value) {
        let res = self
            .http
            .post(format!(
                "{}/_emulator/organizations/{ORG}/workitems/{id}/{action}",
                self.emulator.url
            ))
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert!(res.status().is_success(), "{action}: {}", res.status());
    }

    async fn deliveries(&self) -> Vec<Value> {
        let body: Value = self
            .http
            .get(format!("{}/_emulator/deliveries", self.emulator.url))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .unwrap_or(Value::Null);
        body["items"].as_array().cloned().unwrap_or_default()
    }
}

async fn story() -> Story {
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let seed = std::env::temp_dir().join(format!("navsync-e2e-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(
        &seed,
        json!({"organizations": [{"name": ORG, "process": "Agile", "projects": ["Alpha"], "pats": [PAT]}]})
            .to_string(),
    )
    .expect("seed written");
    let emulator = start(
        "navsync-ado-emulator",
        &[
            ("NAVSYNC_EMULATOR__SEED", seed.display().to_string()),
            ("NAVSYNC_EMULATOR__HOOK_RETRY_SCALE", "0.01".into()),
        ],
    )
    .await;
    let common = |extra: &[(&'static str, String)]| {
        let mut env = vec![
            ("NAVSYNC_DATABASE__URL", db.url().to_owned()),
            ("NAVSYNC_AMQP__URL", vhost.url().to_owned()),
            ("NAVSYNC_ADO__BASE_URL", emulator.url.clone()),
        ];
        env.extend_from_slice(extra);
        env
    };
    let integrations = start("navsync-integrations", &common(&[])).await;
    let action_items = start("navsync-action-items", &common(&[])).await;
    let with_integrations = [("NAVSYNC_INTEGRATIONS__URL", integrations.url.clone())];
    let ingress = start(
        "navsync-webhook-ingress",
        &common(&[
            with_integrations[0].clone(),
            ("NAVSYNC_INGRESS__SECRET_CACHE_TTL_SECS", "1".into()),
        ]),
    )
    .await;
    let sync = start(
        "navsync-ado-sync",
        &common(&[
            with_integrations[0].clone(),
            ("NAVSYNC_SYNC__DIRECTORY_TTL_MS", "500".into()),
        ]),
    )
    .await;
    let _ = std::fs::remove_file(&seed);
    Story {
        http: reqwest::Client::new(),
        admin: token(uuid::Uuid::new_v4()).encode(),
        emulator,
        integrations,
        action_items,
        ingress,
        _sync: sync,
        vhost,
        _db: db,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_story_from_navigator_to_ado_and_back() {
    let s = story().await;
    let post = reqwest::Method::POST;

    // An admin adds the integration.
    let (status, integration) = s
        .send(
            post.clone(),
            format!("{}/v1/integrations", s.integrations.url),
            json!({"organization": ORG, "pat": PAT}),
        )
        .await;
    assert_eq!(status, 201, "{integration}");
    let integration_id = integration["id"].as_str().expect("id").to_owned();
    let webhook_url = format!("{}/hooks/ado/{integration_id}", s.ingress.url);
    let (_, secret) = s
        .send(
            post.clone(),
            format!(
                "{}/v1/integrations/{integration_id}/reveal",
                s.integrations.url
            ),
            json!({"field": "webhook_secret"}),
        )
        .await;
    let secret = secret["value"].as_str().expect("secret").to_owned();

    // An ADO admin creates the service hooks with the Webhook URL and secret.
    for event in [
        "workitem.updated",
        "workitem.deleted",
        "workitem.restored",
        "workitem.created",
    ] {
        let res = s
            .http
            .post(format!(
                "{}/_emulator/organizations/{ORG}/subscriptions",
                s.emulator.url
            ))
            .json(
                &json!({"publisherId": "tfs", "eventType": event, "consumerId": "webHooks",
                "consumerActionId": "httpRequest", "publisherInputs": {"projectId": "Alpha"},
                "consumerInputs": {"url": webhook_url, "basicAuthUsername": "navsync",
                    "basicAuthPassword": secret, "resourceDetailsToSend": "all"}}),
            )
            .send()
            .await
            .expect("sent");
        assert!(res.status().is_success(), "subscription: {}", res.status());
    }

    // An action item created in Navigator becomes one work item.
    let (status, item) = s
        .send(
            post.clone(),
            format!("{}/v1/action-items", s.action_items.url),
            json!({"title": "Plan the offsite", "status": "in_progress"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = item["id"].as_str().expect("id").to_owned();
    assert!(
        eventually(20, || async {
            s.item(&id).await.1["ado"]["sync_state"] == "synced"
        })
        .await,
        "synced"
    );
    let wi = s.item(&id).await.1["ado"]["work_item_id"]
        .as_i64()
        .expect("work item id");
    let work_item = s.work_item(wi).await;
    assert_eq!(work_item["fields"]["System.Title"], "Plan the offsite");
    assert_eq!(work_item["fields"]["System.State"], "Active");

    // Edited in Navigator: the work item follows.
    let (status, _) = s
        .send(
            reqwest::Method::PATCH,
            format!("{}/v1/action-items/{id}", s.action_items.url),
            json!({"title": "Plan the offsite (venue booked)"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        eventually(20, || async {
            s.work_item(wi).await["fields"]["System.Title"] == "Plan the offsite (venue booked)"
        })
        .await,
        "the work item followed"
    );

    // Edited in ADO by a person: the action item follows, and nothing is sent back.
    s.person(wi, "edit", json!({"fields": {"System.State": "Closed"}}))
        .await;
    assert!(
        eventually(20, || async { s.item(&id).await.1["status"] == "done" }).await,
        "the action item followed"
    );
    let rev_after_person = s.work_item(wi).await["rev"].clone();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        s.work_item(wi).await["rev"],
        rev_after_person,
        "no write went back to ADO"
    );

    // The same notification delivered twice is applied once.
    let delivery = s
        .deliveries()
        .await
        .into_iter()
        .rev()
        .find(|d| d["event_type"] == "workitem.updated")
        .expect("a delivery");
    let version_before = s.item(&id).await.1["version"].clone();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("navsync:{secret}"));
    let replay = s
        .http
        .post(&webhook_url)
        .header("Authorization", format!("Basic {basic}"))
        .json(&delivery["payload"])
        .send()
        .await
        .expect("sent");
    assert_eq!(replay.status(), 200);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        s.item(&id).await.1["version"],
        version_before,
        "applied once"
    );

    // A wrong secret: 401, and nothing changes.
    let forged = base64::engine::general_purpose::STANDARD.encode("navsync:not-the-secret");
    let res = s
        .http
        .post(&webhook_url)
        .header("Authorization", format!("Basic {forged}"))
        .json(&delivery["payload"])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 401);

    // A work item created in ADO: nothing appears in Navigator.
    let count = |v: Value| v["items"].as_array().map_or(0, Vec::len);
    let before = count(
        s.get(format!("{}/v1/action-items", s.action_items.url))
            .await
            .1,
    );
    let res = s
        .http
        .post(format!(
            "{}/_emulator/organizations/{ORG}/projects/Alpha/workitems",
            s.emulator.url
        ))
        .json(&json!({"type": "Task", "fields": {"System.Title": "Made in ADO"}}))
        .send()
        .await
        .expect("sent");
    assert!(res.status().is_success());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        count(
            s.get(format!("{}/v1/action-items", s.action_items.url))
                .await
                .1
        ),
        before
    );

    // The broker is down while ADO delivers: 503, and ADO's retry lands it afterwards.
    s.vhost.deny().await;
    s.vhost.close_connections().await;
    s.person(
        wi,
        "edit",
        json!({"fields": {"System.Title": "Edited while the broker was down"}}),
    )
    .await;
    assert!(
        eventually(20, || async {
            s.deliveries().await.iter().any(|d| d["status"] == 503)
        })
        .await,
        "the ingress answered 503: {:?}",
        s.deliveries().await.last()
    );
    s.vhost.allow().await;
    assert!(
        eventually(60, || async {
            s.item(&id).await.1["title"] == "Edited while the broker was down"
        })
        .await,
        "ADO's retry landed"
    );

    // Deleted in ADO: the action item is deleted.
    s.person(wi, "delete", json!({})).await;
    assert!(
        eventually(30, || async { s.item(&id).await.0 == 404 }).await,
        "deleted in Navigator"
    );
}
