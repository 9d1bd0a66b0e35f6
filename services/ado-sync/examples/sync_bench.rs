//! ado-sync throughput against its bound, and live-edit latency while a backlog drains
//! (issue 5's benchmark; the figures go to docs/benchmarks.md).
//!
//! `cargo run --release -p navsync-ado-sync --example sync_bench -- [ITEMS] [LATENCY_MS] [IN_FLIGHT]`
//!
//! Everything real but ADO, which is the emulator answering every call after LATENCY_MS:
//! integrations, action-items (the API, its outbox and relay), RabbitMQ, PostgreSQL and
//! ado-sync with IN_FLIGHT calls per organization. ITEMS action items are POSTed to the
//! API at once; throughput counts from the first POST to the last work item in the
//! emulator, against the bound IN_FLIGHT / LATENCY. Meanwhile a person edits one of ten
//! earlier items every 250 ms through the API; each edit is timed until the emulator's
//! work item shows it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use navsync_ado_emulator::{Emulator, Latency};
use navsync_test_support::bench::{arg, percentile};
use navsync_test_support::{TestDatabase, TestVhost, token};
use serde_json::json;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const ORG: &str = "bench-org";
const PAT: &str = "benchpat0benchpat1benchpat2benchpat3benchpat4benchpat5benchpatAZDO6789";

#[tokio::main]
async fn main() {
    let items = arg(1, 2000) as usize;
    let latency_ms = arg(2, 100);
    let in_flight = arg(3, 8);

    let emulator = Emulator::new();
    emulator
        .seed(
            serde_json::from_value(json!({"organizations": [
                {"name": ORG, "process": "Agile", "projects": ["Alpha"], "pats": [PAT]}
            ]}))
            .unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let emulator = emulator
        .start("127.0.0.1", 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let emu = emulator.emulator.clone();
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let stop = CancellationToken::new();
    let amqp = ("NAVSYNC_AMQP__URL", vhost.url());

    let settings = navsync_test_support::settings(&db, &emulator.base_url, &[amqp]);
    let integrations = navsync_integrations::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let integrations_url = format!("http://127.0.0.1:{}", integrations.port());
    tokio::spawn(integrations.run_until_stopped(stop.clone()));

    let settings = navsync_test_support::settings(&db, &emulator.base_url, &[amqp]);
    let action_items = navsync_action_items::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let api = format!("http://127.0.0.1:{}", action_items.port());
    tokio::spawn(action_items.run_until_stopped(stop.clone()));

    let in_flight_text = in_flight.to_string();
    let settings = navsync_test_support::settings(
        &db,
        &emulator.base_url,
        &[
            amqp,
            ("NAVSYNC_INTEGRATIONS__URL", &integrations_url),
            ("NAVSYNC_SYNC__MAX_IN_FLIGHT_PER_ORG", &in_flight_text),
            ("NAVSYNC_DATABASE__POOL_SIZE", "16"),
            ("NAVSYNC_LOG__LEVEL", "error"),
        ],
    );
    let sync = navsync_ado_sync::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(sync.run_until_stopped(stop.clone()));

    let company = Uuid::new_v4();
    let admin = token(company).encode();
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{integrations_url}/v1/integrations"))
        .bearer_auth(&admin)
        .json(&json!({"organization": ORG, "pat": PAT}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.status(), 201);

    // Ten items a person will edit, synced before the backlog starts.
    let mut live = Vec::new();
    for i in 0..10 {
        let body: serde_json::Value = http
            .post(format!("{api}/v1/action-items"))
            .bearer_auth(&admin)
            .json(&json!({"title": format!("live {i}")}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        live.push(body["id"].as_str().unwrap_or_default().to_owned());
    }
    while emu.work_items(ORG).len() < 10 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let live_ids: Vec<u32> = emu.work_items(ORG).iter().map(|w| w.id).collect();
    emu.set_latency(Latency {
        fixed_ms: latency_ms,
        jitter_ms: 0,
    })
    .unwrap_or_else(|e| panic!("{e:?}"));

    let started = Instant::now();
    let posting = {
        let (http, admin, api) = (http.clone(), admin.clone(), api.clone());
        tokio::spawn(async move {
            futures::stream::iter(0..items)
                .map(|i| {
                    let (http, admin, api) = (http.clone(), admin.clone(), api.clone());
                    async move {
                        http.post(format!("{api}/v1/action-items"))
                            .bearer_auth(&admin)
                            .json(&json!({"title": format!("backlog {i}")}))
                            .send()
                            .await
                            .map(|r| r.status().as_u16())
                    }
                })
                .buffer_unordered(16)
                .filter(|r| futures::future::ready(!matches!(r, Ok(201))))
                .count()
                .await
        })
    };

    let latencies = Arc::new(Mutex::new(Vec::new()));
    let editing = {
        let (http, admin, api, emu, latencies) = (
            http.clone(),
            admin.clone(),
            api.clone(),
            emu.clone(),
            latencies.clone(),
        );
        let live = live.clone();
        tokio::spawn(async move {
            let mut n = 0usize;
            loop {
                let k = n % live.len();
                let title = format!("edit {n}");
                let t = Instant::now();
                let res = http
                    .patch(format!("{api}/v1/action-items/{}", live[k]))
                    .bearer_auth(&admin)
                    .json(&json!({ "title": title }))
                    .send()
                    .await;
                if res.map(|r| r.status().as_u16()).ok() != Some(200) {
                    break;
                }
                // Find the edited work item: whichever of the live ones now shows the title.
                let deadline = Instant::now() + Duration::from_secs(60);
                'wait: while Instant::now() < deadline {
                    for id in &live_ids {
                        if emu
                            .work_item(ORG, *id)
                            .is_some_and(|w| w.text("System.Title") == title)
                        {
                            latencies
                                .lock()
                                .await
                                .push(t.elapsed().as_secs_f64() * 1000.0);
                            break 'wait;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                n += 1;
                tokio::time::sleep(Duration::from_millis(250).saturating_sub(t.elapsed())).await;
            }
        })
    };

    let failed_posts = posting.await.unwrap_or(items);
    while emu.work_items(ORG).len() < items + 10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    editing.abort();
    let rate = items as f64 / elapsed;
    let bound = in_flight as f64 / (latency_ms as f64 / 1000.0);
    let mut edits = latencies.lock().await.clone();
    edits.sort_by(f64::total_cmp);
    println!(
        "| items | ADO latency | in flight | bound (items/s) | measured (items/s) | of bound | live edits | edit p50 | edit p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {items} | {latency_ms} ms | {in_flight} | {bound:.0} | {rate:.1} | {:.0}% | {} | {:.0} ms | {:.0} ms |",
        100.0 * rate / bound,
        edits.len(),
        percentile(&edits, 50.0),
        percentile(&edits, 99.0)
    );
    println!(
        "failed posts: {failed_posts}; early requests: {}",
        emu.early_requests().len()
    );
    stop.cancel();
    tokio::time::sleep(Duration::from_millis(300)).await;
}
