//! Outbox relay throughput against the raw publish rate of the same broker, in one run
//! (issue 3's benchmark; the figures go to docs/benchmarks.md).
//!
//! `cargo run --release -p navsync-action-items --example outbox_bench -- [EVENTS]`
//!
//! 1. Raw: EVENTS messages published through the messaging crate with a sliding window of
//!    256 unconfirmed messages on one channel (the fastest correct way, CRATES.md).
//! 2. Relay: EVENTS outbox rows committed first, then timed from the first relay pass to
//!    the last broker confirm and mark.
//!
//! Both use real action item events of the same size, a fresh database and a fresh vhost.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures::StreamExt;
use navsync_action_items::relay::{Relay, declare_topology};
use navsync_contracts::{ActionItemStatus, ActionItemV1, Envelope, Event, Origin, encode, source};
use navsync_messaging::{Broker, OutgoingMessage, Publisher};
use navsync_test_support::{TestDatabase, TestVhost};
use tokio::sync::Notify;
use uuid::Uuid;

fn event(n: usize) -> Envelope<Event> {
    let now = chrono::Utc::now();
    Envelope::from_event(
        source::ACTION_ITEMS,
        Event::ActionItemCreated(ActionItemV1 {
            id: Uuid::now_v7(),
            company_id: Uuid::new_v4(),
            title: format!("Benchmark action item number {n} with a realistic title"),
            description: Some("A description of a typical length: ".repeat(8)),
            status: ActionItemStatus::InProgress,
            assignee_email: Some("someone@example.com".into()),
            due_date: None,
            version: 1,
            sync_to_ado: true,
            origin: Origin::Navigator,
            created_at: now,
            updated_at: now,
            ado_revisions: Default::default(),
        }),
    )
}

fn message(env: &Envelope<Event>) -> OutgoingMessage {
    OutgoingMessage::cloud_event(
        env.exchange(),
        env.routing_key(),
        env.id.to_string(),
        encode(env).unwrap_or_default(),
        None,
    )
}

async fn raw(broker: &Arc<Broker>, events: usize) -> f64 {
    let publisher = Publisher::new(broker.clone());
    let messages: Vec<_> = (0..events).map(|n| message(&event(n))).collect();
    let started = Instant::now();
    let failures = futures::stream::iter(messages.iter())
        .map(|m| publisher.publish(m))
        .buffer_unordered(256)
        .filter(|r| futures::future::ready(r.is_err()))
        .count()
        .await;
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(failures, 0, "every raw publish confirmed");
    events as f64 / secs
}

async fn fill_outbox(url: &str, events: usize) {
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for chunk in (0..events).collect::<Vec<_>>().chunks(1000) {
        let mut sql = String::from(
            "INSERT INTO action_items.outbox (event_id, aggregate_id, exchange, routing_key, body) VALUES ",
        );
        for (i, n) in chunk.iter().enumerate() {
            let env = event(*n);
            let body = encode(&env).unwrap_or_default();
            let hex: String = body.iter().map(|b| format!("{b:02x}")).collect();
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('{}', '{}', '{}', '{}', '\\x{hex}')",
                env.id,
                Uuid::now_v7(),
                env.exchange(),
                env.routing_key()
            ));
        }
        diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

async fn relay(db: &TestDatabase, broker: &Arc<Broker>, events: usize) -> f64 {
    let settings = navsync_test_support::settings(db, "http://127.0.0.1:9", &[]);
    fill_outbox(db.url(), events).await;
    let pool =
        navsync_platform::db::pool(&settings.database.url, 4).unwrap_or_else(|e| panic!("{e}"));
    let relay = Relay {
        table: navsync_action_items::relay::table(),
        pool,
        broker: broker.clone(),
        wake: Arc::new(Notify::new()),
        batch_size: std::env::var("RELAY_BATCH")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(navsync_action_items::startup::RELAY_BATCH),
        idle_poll: Duration::from_millis(10),
    };
    let publisher = Publisher::new(broker.clone());
    let started = Instant::now();
    let mut published = 0;
    while published < events {
        let pass = relay
            .pass(&publisher)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(pass.failure.is_none(), "{:?}", pass.failure);
        published += pass.published;
    }
    events as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30_000);
    let db = TestDatabase::create().await;
    let vhost = TestVhost::create().await;
    let broker = Broker::new(vhost.url().to_owned().into(), "bench");
    declare_topology(&broker)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url: secrecy::SecretString = db.url().to_owned().into();
    navsync_platform::db::migrate(
        &url,
        "action_items",
        navsync_action_items::startup::MIGRATIONS,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    // Warm the channel and the broker's queue before measuring.
    raw(&broker, 2_000).await;
    let body = encode(&event(0)).map(|b| b.len()).unwrap_or(0);
    println!(
        "| round | events | body bytes | raw windowed publish (msg/s) | outbox relay (events/s) | relay / raw |"
    );
    println!("|---|---|---|---|---|---|");
    // Alternating rounds, so background load hits both sides alike; the median decides.
    let mut ratios = Vec::new();
    for round in 1..=3 {
        let raw_rate = raw(&broker, events).await;
        let relay_rate = relay(&db, &broker, events).await;
        ratios.push(relay_rate / raw_rate);
        println!(
            "| {round} | {events} | {body} | {raw_rate:.0} | {relay_rate:.0} | {:.0}% |",
            100.0 * relay_rate / raw_rate
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("\nmedian relay / raw: {:.0}%", 100.0 * ratios[1]);
    broker.close().await;
}
