//! End to end, ADO → Navigator: how long after a person edits a work item in ADO the
//! action item shows it, at a steady rate of edits (issue 6's second figure; it goes to
//! docs/benchmarks.md).
//!
//! `cargo run --release -p navsync-ado-sync --example edit_latency -- [EDITS_PER_SEC] [SECS] [ITEMS] [PARALLEL_DELIVERIES]`
//!
//! Everything real: the emulator as ADO with service hooks pointing at webhook-ingress
//! (basic authentication with the integration's secret, resource details "all"),
//! RabbitMQ, PostgreSQL, integrations, webhook-ingress, ado-sync and action-items. ITEMS
//! action items are created through the API and synced first; then a person retitles one
//! of their work items every 1 / EDITS_PER_SEC seconds, round robin. Each edit is timed
//! from the moment ADO committed it to the moment action-items published the item's
//! `action_item.updated.v1` (origin `ado`) carrying the new title — the item has changed
//! in Navigator's database by then, in the same transaction as that event. ADO delivers
//! out of order, so an edit may be overtaken by a newer edit of the same work item and
//! never show on its own (a late delivery must not clobber the newer title): such an
//! edit counts as reached when the newer one arrived.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use navsync_ado_emulator::Emulator;
use navsync_contracts::{Event, Origin, decode, exchange};
use navsync_messaging::{Broker, ConsumerConfig, Outcome, QueueSpec, run_consumer};
use navsync_test_support::bench::{arg, percentile};
use navsync_test_support::{TestDatabase, TestVhost, token};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const ORG: &str = "bench-org";
const PAT: &str = "benchpat0benchpat1benchpat2benchpat3benchpat4benchpat5benchpatAZDO6789";

/// When each title was written in ADO, and when Navigator published it.
#[derive(Default)]
struct Timings {
    edited: HashMap<String, Instant>,
    /// When ado-sync published the change (the midpoint of the way).
    reported: HashMap<String, Instant>,
    arrived: HashMap<String, Instant>,
}

#[tokio::main]
async fn main() {
    let rate = arg(1, 100).max(1);
    let secs = arg(2, 20);
    let items = arg(3, 50).max(1) as usize;
    let parallel = arg(4, 8) as u32;

    let emulator = Emulator::new();
    emulator
        .seed(
            serde_json::from_value(json!({"organizations": [
                {"name": ORG, "process": "Agile", "projects": ["Alpha"], "pats": [PAT]}
            ]}))
            .unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    emulator
        .set_hook_settings(navsync_ado_emulator::HookSettings {
            parallel_deliveries: parallel,
            ..navsync_ado_emulator::HookSettings::default()
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let emulator = emulator
        .start("127.0.0.1", 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let emu = emulator.emulator.clone();
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let stop = CancellationToken::new();
    let quiet = ("NAVSYNC_LOG__LEVEL", "error");
    let amqp = ("NAVSYNC_AMQP__URL", vhost.url());
    let base = emulator.base_url.clone();

    let integrations = navsync_integrations::Application::build(navsync_test_support::settings(
        &db,
        &base,
        &[amqp, quiet],
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let integrations_url = format!("http://127.0.0.1:{}", integrations.port());
    tokio::spawn(integrations.run_until_stopped(stop.clone()));
    let with_integrations = [
        amqp,
        quiet,
        ("NAVSYNC_INTEGRATIONS__URL", integrations_url.as_str()),
    ];

    let action_items = navsync_action_items::Application::build(navsync_test_support::settings(
        &db,
        &base,
        &[amqp, quiet],
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let api = format!("http://127.0.0.1:{}", action_items.port());
    tokio::spawn(action_items.run_until_stopped(stop.clone()));

    let sync = navsync_ado_sync::Application::build(navsync_test_support::settings(
        &db,
        &base,
        &with_integrations,
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(sync.run_until_stopped(stop.clone()));

    let ingress = navsync_webhook_ingress::Application::build(
        navsync_test_support::settings(&db, &base, &with_integrations),
        navsync_webhook_ingress::IngressSettings::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let ingress_url = format!("http://127.0.0.1:{}", ingress.port());
    tokio::spawn(ingress.run_until_stopped(stop.clone()));

    let company = Uuid::new_v4();
    let admin = token(company).encode();
    let http = reqwest::Client::new();
    let created: Value = http
        .post(format!("{integrations_url}/v1/integrations"))
        .bearer_auth(&admin)
        .json(&json!({"organization": ORG, "pat": PAT}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let integration_id = created["id"].as_str().unwrap_or_default().to_owned();
    let secret: Value = http
        .post(format!(
            "{integrations_url}/v1/integrations/{integration_id}/reveal"
        ))
        .bearer_auth(&admin)
        .json(&json!({"field": "webhook_secret"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let secret = secret["value"].as_str().unwrap_or_default().to_owned();
    for event in ["workitem.updated", "workitem.deleted", "workitem.restored"] {
        let res = http
            .post(format!(
                "{base}/_emulator/organizations/{ORG}/subscriptions"
            ))
            .json(
                &json!({"publisherId": "tfs", "eventType": event, "consumerId": "webHooks",
                "consumerActionId": "httpRequest", "publisherInputs": {"projectId": "Alpha"},
                "consumerInputs": {"url": format!("{ingress_url}/hooks/ado/{integration_id}"),
                    "basicAuthUsername": "navsync", "basicAuthPassword": secret,
                    "resourceDetailsToSend": "all"}}),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(res.status().is_success(), "subscription: {}", res.status());
    }

    // Timestamps of what action-items publishes, taken as each message arrives.
    let timings = Arc::new(Mutex::new(Timings::default()));
    let broker = Broker::new(vhost.url().to_owned().into(), "bench-observer");
    {
        let timings = timings.clone();
        let name = format!("bench.observer.{}", Uuid::new_v4().simple());
        let config = ConsumerConfig {
            spec: QueueSpec::exclusive(&name, exchange::ACTION_ITEMS, &["action_item.updated.#"]),
            prefetch: 200,
            consumer_tag: name.clone(),
        };
        tokio::spawn(run_consumer(
            broker.clone(),
            config,
            move |message| {
                let timings = timings.clone();
                async move {
                    let at = Instant::now();
                    if let Ok(envelope) = decode(&message.body)
                        && let Event::ActionItemUpdated(u) = envelope.data
                        && u.item.origin == Origin::Ado
                        && let Ok(mut t) = timings.lock()
                    {
                        t.arrived.entry(u.item.title).or_insert(at);
                    }
                    Outcome::Ack
                }
            },
            stop.clone(),
        ));
    }

    {
        let timings = timings.clone();
        let name = format!("bench.observer.{}", Uuid::new_v4().simple());
        let config = ConsumerConfig {
            spec: QueueSpec::exclusive(
                &name,
                exchange::ADO_SYNC,
                &["action_item.changed_in_ado.#"],
            ),
            prefetch: 200,
            consumer_tag: name.clone(),
        };
        tokio::spawn(run_consumer(
            broker.clone(),
            config,
            move |message| {
                let timings = timings.clone();
                async move {
                    let at = Instant::now();
                    if let Ok(envelope) = decode(&message.body)
                        && let Event::ActionItemChangedInAdo(c) = envelope.data
                        && let Some(title) = c.changes.title
                        && let Ok(mut t) = timings.lock()
                    {
                        t.reported.entry(title.value).or_insert(at);
                    }
                    Outcome::Ack
                }
            },
            stop.clone(),
        ));
    }

    for i in 0..items {
        let res = http
            .post(format!("{api}/v1/action-items"))
            .bearer_auth(&admin)
            .json(&json!({"title": format!("item {i}")}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(res.status(), 201);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while emu.work_items(ORG).len() < items {
        assert!(Instant::now() < deadline, "the items did not reach ADO");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let the creations' own reports and echoes settle before timing anything.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let work_items: Vec<u32> = emu.work_items(ORG).iter().map(|w| w.id).collect();

    let total = (rate * secs) as usize;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    for n in 0..total {
        ticker.tick().await;
        let id = work_items[n % work_items.len()];
        let title = format!("ado edit {n}");
        let fields = json!({ "System.Title": title });
        let at = Instant::now();
        if let Err(e) = emu.edit_as_person(ORG, id, &fields, None) {
            panic!("edit {n} of work item {id}: {e:?}");
        }
        if let Ok(mut t) = timings.lock() {
            t.edited.insert(title, at);
        }
    }
    let offered = total as f64 / started.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // The last edit of every item shows once everything arrived.
        let last = total.saturating_sub(work_items.len());
        let done = timings
            .lock()
            .map(|t| (last..total).all(|n| t.arrived.contains_key(&format!("ado edit {n}"))))
            .unwrap_or(false);
        if done || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (mut latencies, missing, overtaken) = {
        let t = timings.lock().unwrap_or_else(|e| e.into_inner());
        let number = |title: &str| {
            title
                .strip_prefix("ado edit ")
                .and_then(|n| n.parse::<usize>().ok())
        };
        // Per work item (edit n went to item n % items), its arrivals by edit number.
        let mut arrivals: HashMap<usize, Vec<(usize, Instant)>> = HashMap::new();
        for (title, at) in &t.arrived {
            if let Some(n) = number(title) {
                arrivals
                    .entry(n % work_items.len())
                    .or_default()
                    .push((n, *at));
            }
        }
        let (mut latencies, mut missing, mut overtaken) = (Vec::new(), 0, 0);
        for (title, edited) in &t.edited {
            let Some(n) = number(title) else { continue };
            // This edit, or the first newer one of the same item to arrive.
            let reached = arrivals
                .get(&(n % work_items.len()))
                .and_then(|a| a.iter().filter(|(m, _)| *m >= n).map(|(_, at)| *at).min());
            match reached {
                Some(at) => {
                    if !t.arrived.contains_key(title) {
                        overtaken += 1;
                    }
                    latencies.push(at.saturating_duration_since(*edited).as_secs_f64() * 1000.0);
                }
                None => missing += 1,
            }
        }
        (latencies, missing, overtaken)
    };
    latencies.sort_by(f64::total_cmp);
    let mut halfway: Vec<f64> = {
        let t = timings.lock().unwrap_or_else(|e| e.into_inner());
        t.reported
            .iter()
            .filter_map(|(title, at)| {
                t.edited
                    .get(title)
                    .map(|e| at.saturating_duration_since(*e).as_secs_f64() * 1000.0)
            })
            .collect()
    };
    halfway.sort_by(f64::total_cmp);
    println!("| edits/s offered | edits | reached Navigator | p50 | p99 | max |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {offered:.0} | {total} | {} | {:.0} ms | {:.0} ms | {:.0} ms |",
        latencies.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "ADO edit → ado-sync's changed_in_ado published: p50 {:.0} ms, p99 {:.0} ms ({} of them)",
        percentile(&halfway, 50.0),
        percentile(&halfway, 99.0),
        halfway.len()
    );
    println!(
        "{parallel} deliveries in flight per subscription; {overtaken} edits overtaken by a newer edit of the same item; {missing} never reached Navigator within 60 s"
    );
    stop.cancel();
    tokio::time::sleep(Duration::from_millis(300)).await;
}
