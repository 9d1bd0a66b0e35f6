//! One world per test: emulator, database, vhost, integrations with an integration, and
//! ado-sync; events are published as any Navigator service would.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use navsync_ado_emulator::{Emulator, RunningEmulator, WorkItemSnapshot};
use navsync_contracts::{
    ActionItemStatus, ActionItemUpdatedV1, ActionItemV1, Envelope, Event, Origin, encode, exchange,
};
use navsync_messaging::{Broker, OutgoingMessage, Publisher, topology};
use navsync_test_support::{Captured, TestDatabase, TestVhost, observe, token};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub const ORG: &str = "p2anav-dev";
pub const PAT: &str = "syncpat0syncpat1syncpat2syncpat3syncpat4syncpat5syncpat6syncpatAZDO7890";
/// A user of the organization besides the PAT's identity: the assignee ADO accepts.
pub const MEMBER: &str = "Ann Member <ann@example.com>";

/// The database and vhost are held so they live (and are cleaned up) with the test.
#[allow(dead_code)]
pub struct World {
    pub emulator: RunningEmulator,
    pub db: TestDatabase,
    pub vhost: TestVhost,
    pub broker: Arc<Broker>,
    pub integrations: String,
    pub company_id: Uuid,
    pub admin: String,
    pub integration_id: String,
    /// Everything ado-sync reports on `navigator.ado-sync`.
    pub reports: Captured,
    pub shutdown: CancellationToken,
    pub http: reqwest::Client,
}

impl Drop for World {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub async fn world(process: &str) -> World {
    world_with(process, &[]).await
}

pub async fn world_with(process: &str, extra: &[(&str, &str)]) -> World {
    let w = world_without_sync(process).await;
    let vars: Vec<(String, String)> = w
        .sync_env()
        .into_iter()
        .chain(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
        .collect();
    let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let settings = navsync_test_support::settings(&w.db, &w.emulator.base_url, &refs);
    let heal =
        navsync_ado_sync::heal_settings::HealSettings::load_from(&vars).expect("heal settings");
    let sync = navsync_ado_sync::Application::build_with(settings, heal)
        .await
        .expect("ado-sync");
    tokio::spawn(sync.run_until_stopped(w.shutdown.clone()));
    w
}

/// Everything but ado-sync, which the test starts itself (in process or as a binary).
pub async fn world_without_sync(process: &str) -> World {
    let emulator = Emulator::new();
    emulator
        .seed(
            serde_json::from_value(json!({"organizations": [
                {"name": ORG, "process": process, "projects": ["Alpha"], "pats": [PAT],
                 "members": [MEMBER]}
            ]}))
            .expect("seed shape"),
        )
        .expect("seeded");
    let emulator = emulator.start("127.0.0.1", 0).await.expect("emulator");
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let shutdown = CancellationToken::new();
    let base = emulator.base_url.clone();

    let settings =
        navsync_test_support::settings(&db, &base, &[("NAVSYNC_AMQP__URL", vhost.url())]);
    let app = navsync_integrations::Application::build(settings)
        .await
        .expect("integrations");
    let integrations = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(shutdown.clone()));

    let company_id = Uuid::new_v4();
    let admin = token(company_id).encode();
    let http = reqwest::Client::new();
    let created: serde_json::Value = http
        .post(format!("{integrations}/v1/integrations"))
        .bearer_auth(&admin)
        .json(&json!({"organization": ORG, "pat": PAT}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let integration_id = created["id"]
        .as_str()
        .expect("integration created")
        .to_owned();

    let broker = Broker::new(vhost.url().to_owned().into(), "test");
    topology::declare_navsync(&broker).await.expect("topology");
    let reports = observe(&broker, exchange::ADO_SYNC, &shutdown).await;

    World {
        emulator,
        db,
        vhost,
        broker,
        integrations,
        company_id,
        admin,
        integration_id,
        reports,
        shutdown,
        http,
    }
}

pub fn item(world: &World, title: &str) -> ActionItemV1 {
    let now = Utc::now();
    ActionItemV1 {
        id: Uuid::now_v7(),
        company_id: world.company_id,
        title: title.to_owned(),
        description: Some("First line\nSecond <line>".into()),
        status: ActionItemStatus::InProgress,
        assignee_email: None,
        due_date: None,
        version: 1,
        sync_to_ado: true,
        origin: Origin::Navigator,
        created_at: now,
        updated_at: now,
        ado_revisions: Default::default(),
    }
}

impl World {
    /// The `NAVSYNC_*` settings ado-sync needs in this world (besides the database and ADO
    /// that `navsync_test_support::settings` adds).
    pub fn sync_env(&self) -> Vec<(String, String)> {
        [
            ("NAVSYNC_AMQP__URL", self.vhost.url()),
            ("NAVSYNC_INTEGRATIONS__URL", self.integrations.as_str()),
            ("NAVSYNC_SYNC__RESUME_INTERVAL_MS", "600000"),
            ("NAVSYNC_SYNC__DIRECTORY_TTL_MS", "600000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    pub async fn publish(&self, event: Event) {
        let env = Envelope::from_event("/navigator/test-service", event);
        let body = encode(&env).expect("encodes");
        Publisher::new(self.broker.clone())
            .publish(&OutgoingMessage::cloud_event(
                env.exchange(),
                env.routing_key(),
                env.id.to_string(),
                body,
                None,
            ))
            .await
            .expect("published");
    }

    pub async fn created(&self, item: &ActionItemV1) {
        self.publish(Event::ActionItemCreated(item.clone())).await;
    }

    pub async fn updated(&self, item: &ActionItemV1, changed: &[&str]) {
        self.publish(Event::ActionItemUpdated(ActionItemUpdatedV1 {
            item: item.clone(),
            changed_fields: changed.iter().map(|c| (*c).to_owned()).collect(),
        }))
        .await;
    }

    /// Publishes `item` retitled `title` as its version 2, and makes ADO carry that write
    /// out and lose its answer (the connection drops), then fail every later write to the
    /// work item until the faults are cleared. Returns once ADO holds the new title.
    pub async fn retitle_losing_the_answer(
        &self,
        item: &ActionItemV1,
        title: &str,
    ) -> ActionItemV1 {
        let id = self.work_items_of(item)[0].id;
        let patch = |after_commit: bool, count: u32| navsync_ado_emulator::Fault {
            after_commit,
            ..navsync_ado_emulator::Fault::drop_connection(count)
                .matching("PATCH", &format!("/_apis/wit/workitems/{id}"))
        };
        for fault in [patch(true, 1), patch(false, 1000)] {
            self.emulator.emulator.add_fault(fault).expect("fault");
        }
        let mut v2 = item.clone();
        v2.version = 2;
        v2.title = title.to_owned();
        self.updated(&v2, &["title"]).await;
        assert!(
            eventually(10, || async {
                self.work_items_of(item)[0].text("System.Title") == title
            })
            .await,
            "ADO carried the write out"
        );
        v2
    }

    pub async fn deleted(&self, item: &ActionItemV1) {
        self.publish(Event::ActionItemDeleted(item.clone())).await;
    }

    pub fn work_items(&self) -> Vec<WorkItemSnapshot> {
        self.emulator.emulator.work_items(ORG)
    }

    /// The work items carrying `item`'s marker tag.
    pub fn work_items_of(&self, item: &ActionItemV1) -> Vec<WorkItemSnapshot> {
        let marker = navsync_ado_sync::outbound::marker(item);
        self.work_items()
            .into_iter()
            .filter(|w| w.text("System.Tags").contains(&marker))
            .collect()
    }

    pub async fn reports(&self) -> Vec<Envelope<Event>> {
        self.reports.snapshot_envelopes().await
    }

    /// The version ado-sync last reported synced for `item`.
    pub async fn synced_version(&self, item: &ActionItemV1) -> Option<i64> {
        self.reports()
            .await
            .iter()
            .filter_map(|e| match &e.data {
                Event::ActionItemSynced(s) if s.action_item_id == item.id => Some(s.version),
                _ => None,
            })
            .max()
    }

    pub async fn set_pat(&self, pat: &str) -> u16 {
        self.change_integration(json!({"pat": pat})).await
    }

    /// `PATCH /v1/integrations/{id}` as the company's admin; the status answered.
    pub async fn change_integration(&self, changes: serde_json::Value) -> u16 {
        self.http
            .patch(format!(
                "{}/v1/integrations/{}",
                self.integrations, self.integration_id
            ))
            .bearer_auth(&self.admin)
            .json(&changes)
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16()
    }

    pub async fn integration(&self) -> serde_json::Value {
        self.http
            .get(format!(
                "{}/v1/integrations/{}",
                self.integrations, self.integration_id
            ))
            .bearer_auth(&self.admin)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json")
    }
}

/// Polls `check` every 50 ms for up to `secs` seconds.
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
