//! Every navsync binary as its own process against one database and vhost, the emulator as
//! ADO, for tests that need each service's own `/metrics`; the processes are the
//! harness's of `common` (the one `story.rs` and `chaos.rs` use), with this suite's own
//! organization and settings.

// Shared by several test binaries, each using a part.
#![allow(dead_code)]

use navsync_test_support::{TestDatabase, TestVhost};
use serde_json::json;

pub use crate::common::{Proc, eventually, start};

pub const ORG: &str = "p2anav-obs";
pub const PAT: &str = "obspat0obspat1obspat2obspat3obspat4obspat5obspat6obspat7obspAZDO8obspat9xy";

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
    // The PAT expiry check every second, so its gauge appears within the test.
    let integrations = start(
        "navsync-integrations",
        &common(&[("NAVSYNC_PAT_WATCH__INTERVAL_SECS", "1".into())]),
    )
    .await;
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
