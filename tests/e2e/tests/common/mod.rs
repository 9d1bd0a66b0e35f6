//! What the end-to-end tests share: every navsync binary as its own process (started,
//! killed with SIGKILL and restarted on the same port), one database, one vhost, the ADO
//! emulator as ADO, and polling helpers. `story.rs` walks the product's story on it;
//! `chaos.rs` breaks it under load.
#![allow(dead_code)] // each test crate uses its own part of the harness

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use navsync_test_support::{TestDatabase, TestVhost, token};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

pub const ORG: &str = "p2anav-e2e";
pub const PAT: &str = "e2epat0e2epat1e2epat2e2epat3e2epat4e2epat5e2epat6e2epat7e2epAZDO8e2epat9xy";

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("debug")
}

pub async fn binary(name: &str) -> PathBuf {
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

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One service process. Killing it keeps its port and environment, so a restart comes
/// back at the same URL, as a Kubernetes pod behind its Service would.
pub struct Proc {
    pub name: String,
    pub url: String,
    port: u16,
    env: Vec<(String, String)>,
    /// Held so the process is killed when the test ends.
    child: Option<Child>,
    /// Where stderr goes (`None`: discarded).
    log: Option<PathBuf>,
}

pub async fn start(name: &str, env: &[(&str, String)]) -> Proc {
    start_logged(name, env, None).await
}

/// Starts `name` with `env`, its stdout (the log lines) and stderr appended to `log` when
/// given.
pub async fn start_logged(name: &str, env: &[(&str, String)], log: Option<PathBuf>) -> Proc {
    let port = free_port();
    let mut proc = Proc {
        name: name.to_owned(),
        url: format!("http://127.0.0.1:{port}"),
        port,
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        child: None,
        log,
    };
    proc.spawn().await;
    proc
}

impl Proc {
    async fn spawn(&mut self) {
        let mut cmd = Command::new(binary(&self.name).await);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("NAVSYNC_HTTP__PORT", self.port.to_string())
            .env("NAVSYNC_LOG__LEVEL", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true);
        match &self.log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("log file opens");
                // The JSON log lines are on stdout; stderr has what comes before them.
                let also = file.try_clone().expect("log file opens twice");
                cmd.stdout(Stdio::from(also)).stderr(Stdio::from(file));
            }
            None => {
                cmd.stderr(Stdio::null());
            }
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("{} starts: {e}", self.name));
        self.child = Some(child);
        let url = self.url.clone();
        let ready = eventually(60, || async {
            reqwest::get(format!("{url}/readyz"))
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        assert!(ready, "{} became ready", self.name);
    }

    /// SIGKILL: no shutdown, no drain, whatever was in flight is lost mid-way.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// Starts it again on the same port and waits until it is ready.
    pub async fn restart(&mut self) {
        self.kill().await;
        self.spawn().await;
    }
}

pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
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

/// Every service of the product against one database, one vhost and the emulator.
pub struct Stack {
    pub http: reqwest::Client,
    pub admin: String,
    pub emulator: Proc,
    pub integrations: Proc,
    pub action_items: Proc,
    pub ingress: Proc,
    pub sync: Proc,
    pub vhost: TestVhost,
    pub db: TestDatabase,
    /// Directory of the services' logs (when logged).
    pub logs: Option<PathBuf>,
}

/// Starts the emulator (organization [`ORG`], project Alpha, [`PAT`]) and every service.
/// With `logs`, each service's stdout and stderr go to `<logs>/<binary>.log`.
pub async fn stack(logs: Option<PathBuf>, sync_env: &[(&'static str, String)]) -> Stack {
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let seed = std::env::temp_dir().join(format!("navsync-e2e-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(
        &seed,
        json!({"organizations": [{"name": ORG, "process": "Agile", "projects": ["Alpha"], "pats": [PAT]}]})
            .to_string(),
    )
    .expect("seed written");
    if let Some(dir) = &logs {
        std::fs::create_dir_all(dir).expect("log directory");
    }
    let log = |name: &str| logs.as_ref().map(|d| d.join(format!("{name}.log")));
    let emulator = start_logged(
        "navsync-ado-emulator",
        &[
            ("NAVSYNC_EMULATOR__SEED", seed.display().to_string()),
            ("NAVSYNC_EMULATOR__HOOK_RETRY_SCALE", "0.01".into()),
        ],
        log("navsync-ado-emulator"),
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
    let integrations = start_logged(
        "navsync-integrations",
        &common(&[]),
        log("navsync-integrations"),
    )
    .await;
    let action_items = start_logged(
        "navsync-action-items",
        &common(&[]),
        log("navsync-action-items"),
    )
    .await;
    let with_integrations = ("NAVSYNC_INTEGRATIONS__URL", integrations.url.clone());
    let ingress = start_logged(
        "navsync-webhook-ingress",
        &common(&[
            with_integrations.clone(),
            ("NAVSYNC_INGRESS__SECRET_CACHE_TTL_SECS", "1".into()),
        ]),
        log("navsync-webhook-ingress"),
    )
    .await;
    let mut env = vec![
        with_integrations,
        ("NAVSYNC_SYNC__DIRECTORY_TTL_MS", "500".into()),
    ];
    env.extend_from_slice(sync_env);
    let sync = start_logged("navsync-ado-sync", &common(&env), log("navsync-ado-sync")).await;
    let _ = std::fs::remove_file(&seed);
    Stack {
        http: reqwest::Client::new(),
        admin: token(uuid::Uuid::new_v4()).encode(),
        emulator,
        integrations,
        action_items,
        ingress,
        sync,
        vhost,
        db,
        logs,
    }
}

impl Stack {
    pub async fn get(&self, url: String) -> (u16, Value) {
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

    pub async fn send(&self, method: reqwest::Method, url: String, body: Value) -> (u16, Value) {
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

    pub async fn item(&self, id: &str) -> (u16, Value) {
        self.get(format!("{}/v1/action-items/{id}", self.action_items.url))
            .await
    }

    pub async fn work_item(&self, id: i64) -> Value {
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

    pub async fn person(&self, id: i64, action: &str, body: Value) {
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

    pub async fn deliveries(&self) -> Vec<Value> {
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

    /// An admin adds the integration; returns its id and webhook secret.
    pub async fn add_integration(&self) -> (String, String) {
        let post = reqwest::Method::POST;
        let (status, integration) = self
            .send(
                post.clone(),
                format!("{}/v1/integrations", self.integrations.url),
                json!({"organization": ORG, "pat": PAT}),
            )
            .await;
        assert_eq!(status, 201, "{integration}");
        let id = integration["id"].as_str().expect("id").to_owned();
        let (_, secret) = self
            .send(
                post,
                format!("{}/v1/integrations/{id}/reveal", self.integrations.url),
                json!({"field": "webhook_secret"}),
            )
            .await;
        (id, secret["value"].as_str().expect("secret").to_owned())
    }

    /// An ADO admin creates service hooks for `events` with the Webhook URL and secret.
    pub async fn subscribe(&self, integration_id: &str, secret: &str, events: &[&str]) {
        let webhook_url = format!("{}/hooks/ado/{integration_id}", self.ingress.url);
        for event in events {
            let res = self
                .http
                .post(format!(
                    "{}/_emulator/organizations/{ORG}/subscriptions",
                    self.emulator.url
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
    }
}
