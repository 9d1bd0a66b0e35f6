//! Dead letters through ado-sync's internal API: listed with their reasons without being
//! consumed, re-driven once to their queue, discarded with an audit row.

use navsync_contracts::{Envelope, Event, encode, queues};
use navsync_messaging::{OutgoingMessage, Publisher, headers};
use navsync_platform::settings::DEV_SERVICE_TOKEN;
use serde_json::{Value, json};

use crate::helpers::{World, eventually, item, world_without_sync};

const QUEUE: &str = queues::ADO_SYNC_ACTION_ITEMS.name;

/// A world with ado-sync running, and the base URL of its HTTP server.
async fn world() -> (World, String) {
    let w = world_without_sync("Agile").await;
    let vars = w.sync_env();
    let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let settings = navsync_test_support::settings(&w.db, &w.emulator.base_url, &refs);
    let heal = navsync_ado_sync::heal_settings::HealSettings::load_from(&vars).expect("heal");
    let sync = navsync_ado_sync::Application::build_with(settings, heal)
        .await
        .expect("ado-sync");
    let url = format!("http://127.0.0.1:{}", sync.port());
    tokio::spawn(sync.run_until_stopped(w.shutdown.clone()));
    (w, url)
}

/// Puts `event` straight into the queue's dead-letter queue, as the consumer does after a
/// failure, with `reason`.
async fn dead_letter(w: &World, event: Event, reason: &str) -> String {
    let env = Envelope::from_event("/navigator/test-service", event);
    let body = encode(&env).expect("encodes");
    let mut message =
        OutgoingMessage::cloud_event("", format!("{QUEUE}.dlq"), env.id.to_string(), body, None);
    message.headers.extend([
        (headers::DEAD_LETTER_REASON.to_owned(), reason.to_owned()),
        (
            headers::ORIGINAL_EXCHANGE.to_owned(),
            env.exchange().to_owned(),
        ),
        (
            headers::ORIGINAL_ROUTING_KEY.to_owned(),
            env.routing_key().to_owned(),
        ),
        (headers::RETRY_COUNT.to_owned(), "5".to_owned()),
    ]);
    Publisher::new(w.broker.clone())
        .publish(&message)
        .await
        .expect("published");
    env.id.to_string()
}

async fn call(
    w: &World,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = w.http.request(method, url).bearer_auth(DEV_SERVICE_TOKEN);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("sent");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn listed(w: &World, sync: &str) -> Vec<Value> {
    let (status, body) = call(
        w,
        reqwest::Method::GET,
        format!("{sync}/internal/v1/dead-letters/{QUEUE}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_shows_reasons_in_order_and_consumes_nothing() {
    let (w, sync) = world().await;
    let a = item(&w, "First dead letter");
    let b = item(&w, "Second dead letter");
    let id_a = dead_letter(&w, Event::ActionItemCreated(a), "ADO: unavailable").await;
    let id_b = dead_letter(&w, Event::ActionItemCreated(b), "database: gone").await;
    for _ in 0..2 {
        let items = listed(&w, &sync).await;
        let seen: Vec<(&str, &str)> = items
            .iter()
            .map(|i| {
                (
                    i["message_id"].as_str().unwrap_or_default(),
                    i["reason"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (id_a.as_str(), "ADO: unavailable"),
                (id_b.as_str(), "database: gone")
            ]
        );
        assert_eq!(items[0]["routing_key"], "action_item.created.v1");
    }
    // Nothing was re-driven by listing.
    assert!(w.work_items().is_empty());
    let (status, _) = w
        .http
        .get(format!("{sync}/internal/v1/dead-letters/{QUEUE}"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("sent");
    assert_eq!(status, 401, "the service credential is required");
    let (status, _) = call(
        &w,
        reqwest::Method::GET,
        format!("{sync}/internal/v1/dead-letters/some-other-queue"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redriven_dead_letter_is_delivered_once() {
    let (w, sync) = world().await;
    let redriven = item(&w, "Dead-lettered, then re-driven");
    let kept = item(&w, "Stays dead");
    let id = dead_letter(
        &w,
        Event::ActionItemCreated(redriven.clone()),
        "ADO: unavailable",
    )
    .await;
    dead_letter(&w, Event::ActionItemCreated(kept.clone()), "database: gone").await;
    let (status, body) = call(
        &w,
        reqwest::Method::POST,
        format!("{sync}/internal/v1/dead-letters/{QUEUE}/redrive"),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        status, 422,
        "an empty selection never re-drives everything: {body}"
    );
    let (status, body) = call(
        &w,
        reqwest::Method::POST,
        format!("{sync}/internal/v1/dead-letters/{QUEUE}/redrive"),
        Some(json!({"message_id": id, "actor": "ops@example.com"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["redriven"].as_array().map(Vec::len), Some(1));
    assert!(
        eventually(10, || async {
            w.synced_version(&redriven).await == Some(1)
        })
        .await
    );
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(w.work_items_of(&redriven).len(), 1);
    assert!(w.work_items_of(&kept).is_empty());
    let left = listed(&w, &sync).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["reason"], "database: gone");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discarded_dead_letter_leaves_an_audit_row() {
    let (w, sync) = world().await;
    let poison = item(&w, "Poison");
    let other = item(&w, "Other");
    let id = dead_letter(
        &w,
        Event::ActionItemCreated(poison),
        "decode: bad field `title`",
    )
    .await;
    dead_letter(&w, Event::ActionItemCreated(other), "ADO: unavailable").await;
    let (status, body) = call(
        &w,
        reqwest::Method::POST,
        format!("{sync}/internal/v1/dead-letters/{QUEUE}/discard"),
        Some(json!({"reason_contains": "BAD FIELD", "actor": "ops@example.com"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["discarded"][0]["message_id"], id.as_str());
    let left = listed(&w, &sync).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["reason"], "ADO: unavailable");
    let (status, audit) = call(
        &w,
        reqwest::Method::GET,
        format!("{sync}/internal/v1/dead-letters/{QUEUE}/audit"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let rows = audit["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1, "{audit}");
    assert_eq!(rows[0]["action"], "discarded");
    assert_eq!(rows[0]["message_id"], id.as_str());
    assert_eq!(rows[0]["actor"], "ops@example.com");
    assert_eq!(rows[0]["reason"], "decode: bad field `title`");
    assert!(
        w.work_items().is_empty(),
        "a discarded message is never handled"
    );
}

/// The message ids of the dead letters an action answered with.
fn ids(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["message_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filtered_redrive_delivers_exactly_the_matching_dead_letters_once_and_leaves_the_others()
{
    let (w, sync) = world().await;
    let first = item(&w, "ADO was down, created");
    let other_reason = item(&w, "The database was gone");
    let second = item(&w, "ADO was down again, created");
    let other_key = item(&w, "ADO was down, but an update");
    let first_id = dead_letter(
        &w,
        Event::ActionItemCreated(first.clone()),
        "ADO: unavailable (503)",
    )
    .await;
    let other_reason_id = dead_letter(
        &w,
        Event::ActionItemCreated(other_reason.clone()),
        "database: gone",
    )
    .await;
    let second_id = dead_letter(
        &w,
        Event::ActionItemCreated(second.clone()),
        "ado: unavailable",
    )
    .await;
    let other_key_id = dead_letter(
        &w,
        Event::ActionItemUpdated(navsync_contracts::ActionItemUpdatedV1 {
            item: other_key.clone(),
            changed_fields: vec!["title".into()],
        }),
        "ADO: unavailable",
    )
    .await;

    let redrive = || {
        call(
            &w,
            reqwest::Method::POST,
            format!("{sync}/internal/v1/dead-letters/{QUEUE}/redrive"),
            Some(json!({"reason_contains": "ADO: UNAVAILABLE",
                        "routing_key": "action_item.created.v1", "actor": "ops@example.com"})),
        )
    };
    let (status, body) = redrive().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        ids(&body, "redriven"),
        vec![first_id.clone(), second_id.clone()]
    );
    for redriven in [&first, &second] {
        assert!(
            eventually(10, || async { w.synced_version(redriven).await == Some(1) }).await,
            "{} was delivered",
            redriven.title
        );
    }
    // The same selection again finds nothing left: nothing is delivered twice.
    let (status, body) = redrive().await;
    assert_eq!(status, 200, "{body}");
    assert!(ids(&body, "redriven").is_empty(), "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(w.work_items_of(&first).len(), 1);
    assert_eq!(w.work_items_of(&second).len(), 1);
    assert!(w.work_items_of(&other_reason).is_empty());
    assert!(w.work_items_of(&other_key).is_empty());

    let left: Vec<(String, String)> = listed(&w, &sync)
        .await
        .iter()
        .map(|i| {
            (
                i["message_id"].as_str().unwrap_or_default().to_owned(),
                i["routing_key"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        left,
        vec![
            (other_reason_id, "action_item.created.v1".to_owned()),
            (other_key_id, "action_item.updated.v1".to_owned()),
        ],
        "the others stay, in their order"
    );
    let (_, audit) = call(
        &w,
        reqwest::Method::GET,
        format!("{sync}/internal/v1/dead-letters/{QUEUE}/audit"),
        None,
    )
    .await;
    let mut audited: Vec<(String, String)> = audit["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap_or_default().to_owned(),
                r["message_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    audited.sort();
    let mut expected = vec![
        ("redriven".to_owned(), first_id),
        ("redriven".to_owned(), second_id),
    ];
    expected.sort();
    assert_eq!(audited, expected, "each re-drive has its audit row");
}

/// Runs `navsync-dlq` (what `make dlq` runs) against `sync`; its exit status and stdout.
async fn dlq(sync: &str, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_navsync-dlq"))
        .args(args)
        .env_clear()
        .env("NAVSYNC_ADO_SYNC__URL", sync)
        .env("NAVSYNC_AUTH__SERVICE_TOKEN", DEV_SERVICE_TOKEN)
        .env("USER", "ops-on-call")
        .output()
        .await
        .expect("navsync-dlq runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dlq_command_lists_redrives_and_shows_the_audit_through_ado_sync() {
    let (w, sync) = world().await;
    let lost = item(&w, "Re-driven from the command line");
    let kept = item(&w, "Left alone by the command line");
    let lost_id = dead_letter(
        &w,
        Event::ActionItemCreated(lost.clone()),
        "ADO: unavailable",
    )
    .await;
    dead_letter(&w, Event::ActionItemCreated(kept.clone()), "database: gone").await;

    let (ok, out, err) = dlq(&sync, &["list", QUEUE]).await;
    assert!(ok, "{err}");
    let listed: Value = serde_json::from_str(&out).expect("the answer as JSON");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2), "{out}");
    assert_eq!(listed["items"][0]["reason"], "ADO: unavailable");

    let (ok, out, err) = dlq(&sync, &["redrive", QUEUE, "--reason", "unavailable"]).await;
    assert!(ok, "{err}");
    let redriven: Value = serde_json::from_str(&out).expect("the answer as JSON");
    assert_eq!(ids(&redriven, "redriven"), vec![lost_id.clone()]);
    assert!(
        eventually(10, || async { w.synced_version(&lost).await == Some(1) }).await,
        "the re-driven message was delivered"
    );
    assert!(w.work_items_of(&kept).is_empty());

    let (ok, out, err) = dlq(&sync, &["audit", QUEUE]).await;
    assert!(ok, "{err}");
    let audit: Value = serde_json::from_str(&out).expect("the answer as JSON");
    assert_eq!(audit["items"][0]["message_id"], lost_id.as_str(), "{out}");
    assert_eq!(
        audit["items"][0]["actor"], "ops-on-call",
        "the login is the actor"
    );

    // A refused call fails the command: an empty selection never re-drives everything.
    let (ok, out, err) = dlq(&sync, &["redrive", QUEUE]).await;
    assert!(!ok, "{out}");
    assert!(err.contains("422"), "{err}");
    let (ok, _, err) = dlq(&sync, &["redrive", QUEUE, "--bogus"]).await;
    assert!(!ok && err.contains("unknown option --bogus"), "{err}");
}
