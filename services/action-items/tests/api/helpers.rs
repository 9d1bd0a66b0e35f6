//! Spawns the service and listens on its exchange like any other Navigator service would.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use navsync_action_items::Application;
use navsync_contracts::{Envelope, Event, exchange};
use navsync_messaging::{Broker, OutgoingMessage, Publisher};
use navsync_test_support::{Captured, TestDatabase, TestVhost, observe, token};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    pub company_id: Uuid,
    pub token: String,
    pub db: TestDatabase,
    pub vhost: TestVhost,
    pub broker: Arc<Broker>,
    pub events: Captured,
    pub shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub async fn spawn_app() -> TestApp {
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let shutdown = CancellationToken::new();
    let broker = Broker::new(vhost.url().to_owned().into(), "test-observer");
    // As in production, the durable queues exist before anyone publishes.
    navsync_action_items::relay::declare_topology(&broker)
        .await
        .expect("topology");
    let address = start_service(&db, &vhost, &shutdown).await;
    let events = observe(&broker, exchange::ACTION_ITEMS, &shutdown).await;
    let company_id = Uuid::new_v4();
    TestApp {
        address,
        http: reqwest::Client::new(),
        company_id,
        token: token(company_id).roles(&["Member"]).encode(),
        db,
        vhost,
        broker,
        events,
        shutdown,
    }
}

/// Starts one more instance of the service on the same database and vhost.
pub async fn start_service(
    db: &TestDatabase,
    vhost: &TestVhost,
    shutdown: &CancellationToken,
) -> String {
    let settings = navsync_test_support::settings(
        db,
        "http://127.0.0.1:9",
        &[("NAVSYNC_AMQP__URL", vhost.url())],
    );
    let app = Application::build(settings).await.expect("service builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(shutdown.clone()));
    address
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("sent");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn create(&self, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, "/v1/action-items", Some(body), &[])
            .await
    }

    pub async fn create_ok(&self, title: &str) -> Value {
        let (status, body) = self.create(serde_json::json!({"title": title})).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    pub async fn get(&self, id: &str) -> (u16, Value) {
        self.call(
            reqwest::Method::GET,
            &format!("/v1/action-items/{id}"),
            None,
            &[],
        )
        .await
    }

    /// Publishes an event on `navigator.ado-sync`, as ado-sync would.
    pub async fn publish_from_ado_sync(&self, envelope: &Envelope<Event>) {
        let body = navsync_contracts::encode(envelope).expect("encodes");
        self.publish_raw(envelope.routing_key(), envelope.id.to_string(), body)
            .await;
    }

    pub async fn publish_raw(&self, routing_key: &str, message_id: String, body: Vec<u8>) {
        Publisher::new(self.broker.clone())
            .publish(&OutgoingMessage::cloud_event(
                exchange::ADO_SYNC,
                routing_key,
                message_id,
                body,
                None,
            ))
            .await
            .expect("published");
    }

    /// Polls the item until `check` holds (or 10 s pass).
    pub async fn eventually(&self, id: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (_, body) = self.get(id).await;
            if check(&body) || std::time::Instant::now() > deadline {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Versions of each item in the order their events were first seen (duplicates dropped).
pub fn versions_by_item(envelopes: &[Envelope<Event>]) -> (HashMap<Uuid, Vec<i64>>, usize) {
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = 0;
    let mut by_item: HashMap<Uuid, Vec<i64>> = HashMap::new();
    for env in envelopes {
        if !seen.insert(env.id) {
            duplicates += 1;
            continue;
        }
        let (id, version) = match &env.data {
            Event::ActionItemCreated(d) | Event::ActionItemDeleted(d) => (d.id, d.version),
            Event::ActionItemUpdated(u) => (u.item.id, u.item.version),
            other => panic!("unexpected event {other:?}"),
        };
        by_item.entry(id).or_default().push(version);
    }
    (by_item, duplicates)
}
