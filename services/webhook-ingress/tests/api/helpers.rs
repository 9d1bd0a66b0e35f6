//! Spawns the ingress as it runs in production: beside the real `integrations` service
//! (its own database, the ADO emulator as ADO) holding one integration made through its
//! admin API, on a RabbitMQ vhost of its own, with an observer queue on
//! `navigator.ado-inbound` that sees every event published.

use navsync_ado_emulator::{
    Emulator, HookSettings, RunningEmulator, Seed, SeedOrganization, SeedPat, WebhookSubscription,
};
use navsync_contracts::{Envelope, Event, exchange};
use navsync_messaging::{Broker, topology};
use navsync_test_support::{Captured, CapturedLogs, TestDatabase, TestVhost, observe, token};
use navsync_webhook_ingress::{Application, IngressSettings};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub const ORG: &str = "p2anav-dev";
pub const PROJECT: &str = "Alpha";
pub const GOOD_PAT: &str = "goodpat0goodpat1goodpat2goodpat3goodpat4goodpat5goodpat6goodAZDOpat7";

pub struct TestApp {
    /// The ingress.
    pub address: String,
    /// The integrations service.
    pub integrations: String,
    pub http: reqwest::Client,
    pub company_id: Uuid,
    pub admin_token: String,
    pub integration_id: String,
    /// The integration's Webhook Client Secret, as an admin reveals it.
    pub secret: String,
    pub emulator: RunningEmulator,
    pub vhost: TestVhost,
    pub events: Captured,
    pub logs: CapturedLogs,
    shutdown: CancellationToken,
    _db: TestDatabase,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// What a test may change about the ingress.
#[derive(Default)]
pub struct Options {
    pub ingress: IngressSettings,
    /// Where the ingress looks for integrations; the real one when `None`.
    pub integrations_url: Option<String>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let emulator = Emulator::new();
    let mut org = SeedOrganization::named(ORG);
    org.projects.push(PROJECT.into());
    org.pats.push(SeedPat::full_access(GOOD_PAT));
    emulator
        .seed(Seed {
            organizations: vec![org],
        })
        .expect("seed accepted");
    // ADO's transient retries (503) every 0.3 s, 0.6 s, ...: a broker outage of a few
    // seconds is bridged as in production, only faster.
    emulator
        .set_hook_settings(HookSettings {
            retry_base_ms: 300,
            probation_base_ms: 300,
            ..HookSettings::default()
        })
        .expect("hook settings");
    let emulator = emulator
        .start("127.0.0.1", 0)
        .await
        .expect("emulator starts");
    let shutdown = CancellationToken::new();

    // integrations, for real.
    let db = TestDatabase::create().await;
    let integration_settings = navsync_test_support::settings(&db, &emulator.base_url, &[]);
    let logs = CapturedLogs::install(&integration_settings);
    let integrations_app = navsync_integrations::Application::build(integration_settings)
        .await
        .expect("integrations builds");
    let integrations = format!("http://127.0.0.1:{}", integrations_app.port());
    tokio::spawn(integrations_app.run_until_stopped(shutdown.clone()));

    // The broker, with navsync's topology and an observer on the ingress's exchange.
    let vhost = TestVhost::create().await;
    let broker = Broker::new(vhost.url().to_owned().into(), "test-observer");
    topology::declare_navsync(&broker).await.expect("topology");
    let events = observe(&broker, exchange::ADO_INBOUND, &shutdown).await;

    // The ingress.
    let integrations_url = options
        .integrations_url
        .clone()
        .unwrap_or_else(|| integrations.clone());
    let settings = navsync_test_support::settings(
        &db,
        &emulator.base_url,
        &[
            ("NAVSYNC_AMQP__URL", vhost.url()),
            ("NAVSYNC_INTEGRATIONS__URL", &integrations_url),
        ],
    );
    let app = Application::build(settings, options.ingress)
        .await
        .expect("ingress builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(shutdown.clone()));

    let company_id = Uuid::new_v4();
    let mut app = TestApp {
        address,
        integrations,
        http: reqwest::Client::new(),
        company_id,
        admin_token: token(company_id).encode(),
        integration_id: String::new(),
        secret: String::new(),
        emulator,
        vhost,
        events,
        logs,
        shutdown,
        _db: db,
    };
    let (status, body) = app
        .admin(
            reqwest::Method::POST,
            "/v1/integrations",
            Some(json!({"organization": ORG, "pat": GOOD_PAT})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    app.integration_id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(
        body["webhook_url"].as_str(),
        Some(format!("http://127.0.0.1:8083/hooks/ado/{}", app.integration_id).as_str()),
        "integrations issues our route"
    );
    app.secret = app.reveal_secret().await;
    app
}

/// An answer of the ingress.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub www_authenticate: Option<String>,
    pub body: Value,
    pub text: String,
}

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

impl TestApp {
    pub fn hook_url(&self) -> String {
        format!("{}/hooks/ado/{}", self.address, self.integration_id)
    }

    /// POSTs raw bytes to `/hooks/ado/{path_id}`, with Basic `ado:{password}` if given.
    pub async fn post_raw(&self, path_id: &str, password: Option<&str>, body: Vec<u8>) -> Answer {
        let mut req = self
            .http
            .post(format!("{}/hooks/ado/{path_id}", self.address))
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body);
        if let Some(password) = password {
            req = req.basic_auth("ado", Some(password));
        }
        let res = req.send().await.expect("request sent");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (retry_after, www_authenticate) = (header("retry-after"), header("www-authenticate"));
        let status = res.status().as_u16();
        let text = res.text().await.expect("body read");
        Answer {
            status,
            retry_after,
            www_authenticate,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    /// POSTs `chunks` to this integration's webhook as one chunked body
    /// (`Transfer-Encoding: chunked`, no length), a pause after each so that they arrive
    /// as separate reads. Answers the status and the answer's text.
    pub async fn post_chunked(&self, chunks: &[&[u8]]) -> (u16, String) {
        use base64::Engine;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let host = self.address.trim_start_matches("http://");
        let mut socket = tokio::net::TcpStream::connect(host)
            .await
            .expect("connects");
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("ado:{}", self.secret));
        let head = format!(
            "POST /hooks/ado/{} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
             Connection: close\r\n\r\n",
            self.integration_id
        );
        // An ingress that refuses the body answers before it ends (and then waits for
        // the rest, which never comes): sending stops once an answer is there, and the
        // answer is read up to its declared length rather than to the end of the stream.
        let mut answer = Vec::new();
        socket.write_all(head.as_bytes()).await.expect("head sent");
        let mut answered = false;
        for chunk in chunks {
            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
            framed.extend_from_slice(chunk);
            framed.extend_from_slice(b"\r\n");
            socket.write_all(&framed).await.expect("chunk sent");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let mut probe = [0u8; 4096];
            if let Ok(n) = socket.try_read(&mut probe) {
                answer.extend_from_slice(&probe[..n]);
                answered = true;
                break;
            }
        }
        if !answered {
            socket.write_all(b"0\r\n\r\n").await.expect("end sent");
        }
        let complete = |answer: &[u8]| {
            let text = String::from_utf8_lossy(answer);
            let Some((head, body)) = text.split_once("\r\n\r\n") else {
                return false;
            };
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse::<usize>().ok());
            length.is_some_and(|n| body.len() >= n)
        };
        while !complete(&answer) {
            let mut more = [0u8; 4096];
            let read =
                tokio::time::timeout(std::time::Duration::from_secs(10), socket.read(&mut more))
                    .await
                    .expect("an answer within 10 s")
                    .expect("read");
            if read == 0 {
                break;
            }
            answer.extend_from_slice(&more[..read]);
        }
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP answer: {answer}"));
        (status, answer)
    }

    /// POSTs `body` to this integration's webhook with its secret, as ADO would.
    pub async fn deliver(&self, body: &Value) -> Answer {
        let bytes = serde_json::to_vec(body).expect("json");
        self.post_raw(&self.integration_id, Some(&self.secret), bytes)
            .await
    }

    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.integrations))
            .bearer_auth(&self.admin_token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body read");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn reveal_secret(&self) -> String {
        let (status, body) = self
            .admin(
                reqwest::Method::POST,
                &format!("/v1/integrations/{}/reveal", self.integration_id),
                Some(json!({"field": "webhook_secret"})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["value"].as_str().expect("value").to_owned()
    }

    /// Enables or disables the integration through integrations' admin API.
    pub async fn set_enabled(&self, enabled: bool) {
        let (status, body) = self
            .admin(
                reqwest::Method::PATCH,
                &format!("/v1/integrations/{}", self.integration_id),
                Some(json!({ "enabled": enabled })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["enabled"], enabled);
    }

    /// Subscribes this integration's webhook, with its secret, to an ADO event type.
    pub fn subscribe(&self, subscription: WebhookSubscription) {
        self.emulator
            .emulator
            .add_subscription(ORG, &subscription.basic_auth("ado", &self.secret))
            .expect("subscription added");
    }

    /// The `/metrics` value of `webhooks_total` for an outcome and event type (0 if absent).
    pub async fn webhooks_total(&self, outcome: &str, event_type: &str) -> f64 {
        self.webhooks_total_with(&[("outcome", outcome), ("event_type", event_type)])
            .await
    }

    /// The sum of the `webhooks_total` series that have all of `labels` (0 if none).
    pub async fn webhooks_total_with(&self, labels: &[(&str, &str)]) -> f64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        let wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        text.lines()
            .filter(|l| l.starts_with("webhooks_total{"))
            .filter(|l| wanted.iter().all(|w| l.contains(w.as_str())))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    pub fn integration_uuid(&self) -> Uuid {
        self.integration_id.parse().expect("uuid")
    }
}

/// The data of an `ado.work_item.*` event.
pub fn data(envelope: &Envelope<Event>) -> &navsync_contracts::AdoWorkItemEventV1 {
    match &envelope.data {
        Event::AdoWorkItemUpdated(d)
        | Event::AdoWorkItemDeleted(d)
        | Event::AdoWorkItemRestored(d) => d,
        other => panic!("not an ADO event: {other:?}"),
    }
}
