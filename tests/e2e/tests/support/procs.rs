//! Every navsync binary as its own process against one database and vhost, the emulator as
//! ADO (the same way as `story.rs`), for tests that need each service's own `/metrics`.

// Shared by several test binaries, each using a part.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use navsync_test_support::{TestDatabase, TestVhost};
use serde_json::json;
use tokio::process::{Child, Command};

pub const ORG: &str = "p2anav-obs";
pub const PAT: &str = "obspat0obspat1obspat2obspat3obspat4obspat5obspat6obspat7obspAZDO8obspat9xy";

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

pub struct Proc {
    /// Held so the process is killed when the test ends.
    _child: Child,
    pub url: String,
}

pub async fn start(name: &str, env: &[(&str, String)]) -> Proc {
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

pub struct Services {
    pub emulator: Proc,
    pub integrations: Proc,
    pub action_items: Proc,
    pub ingress: Proc,
    pub sync: Proc,
    pub _vhost: TestVhost,
    pub _db: TestDatabase,
}

pub async fn start_all() -> Services {
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let seed = std::env::temp_dir().join(format!("navsync-obs-{}.json", uuid::Uuid::new_v4()));
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
    let with_integrations = ("NAVSYNC_INTEGRATIONS__URL", integrations.url.clone());
    let ingress = start(
        "navsync-webhook-ingress",
        &common(&[
            with_integrations.clone(),
            ("NAVSYNC_INGRESS__SECRET_CACHE_TTL_SECS", "1".into()),
        ]),
    )
    .await;
    let sync = start(
        "navsync-ado-sync",
        &common(&[
            with_integrations,
            ("NAVSYNC_SYNC__DIRECTORY_TTL_MS", "500".into()),
        ]),
    )
    .await;
    let _ = std::fs::remove_file(&seed);
    Services {
        emulator,
        integrations,
        action_items,
        ingress,
        sync,
        _vhost: vhost,
        _db: db,
    }
}
