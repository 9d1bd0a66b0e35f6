//! The outbox: nothing is lost while the broker is away, order per item holds, and two
//! relays never publish the same row twice.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::helpers::{spawn_app, start_service, versions_by_item};

/// Outbox rows not yet confirmed by the broker, read straight from the database.
async fn unpublished(app: &crate::helpers::TestApp) -> i64 {
    let out = tokio::process::Command::new("psql")
        .args([
            app.db.url(),
            "-Atc",
            "select count(*) from action_items.outbox",
        ])
        .output()
        .await
        .expect("psql runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a count")
}

#[tokio::test(flavor = "multi_thread")]
async fn while_the_broker_is_away_writes_wait_and_all_leave_in_order_per_item() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            app.create_ok(&format!("item {i}")).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let mut writes = 20;
    for n in 0..200 {
        if n == 50 {
            app.vhost.deny().await;
            app.vhost.close_connections().await;
        }
        if n == 150 {
            let waiting = unpublished(&app).await;
            assert!(
                waiting >= 90,
                "events wait in the outbox while the broker is away: {waiting}"
            );
            app.vhost.allow().await;
        }
        let id = &ids[n % ids.len()];
        let (status, body) = app
            .call(
                Method::PATCH,
                &format!("/v1/action-items/{id}"),
                Some(json!({"title": format!("edit {n}")})),
                &[],
            )
            .await;
        assert_eq!(status, 200, "writes never need the broker: {body}");
        writes += 1;
    }
    let envelopes = {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let got = app.events.envelopes(writes).await;
            let (by_item, _) = versions_by_item(&got);
            let distinct: usize = by_item.values().map(Vec::len).sum();
            if distinct >= writes || std::time::Instant::now() > deadline {
                break got;
            }
        }
    };
    let (by_item, duplicates) = versions_by_item(&envelopes);
    let distinct: usize = by_item.values().map(Vec::len).sum();
    assert_eq!(distinct, writes, "every event published, none lost");
    assert_eq!(unpublished(&app).await, 0);
    for (item, versions) in &by_item {
        let expected: Vec<i64> = (1..=versions.len() as i64).collect();
        assert_eq!(versions, &expected, "item {item}: events in version order");
    }
    println!(
        "writes {writes}, delivered {}, duplicates {duplicates}",
        envelopes.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_relays_on_one_outbox_publish_every_row_once() {
    let app = spawn_app().await;
    let second_shutdown = CancellationToken::new();
    let second = start_service(&app.db, &app.vhost, &second_shutdown).await;
    let mut tasks = Vec::new();
    for i in 0..300 {
        let http = app.http.clone();
        let token = app.token.clone();
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            http.post(format!("{base}/v1/action-items"))
                .bearer_auth(token)
                .json(&json!({"title": format!("parallel {i}")}))
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task").expect("sent"), 201);
    }
    // Settled: a second copy of anything would have arrived too.
    let envelopes = app.events.settled_envelopes(300).await;
    let (by_item, duplicates) = versions_by_item(&envelopes);
    assert_eq!(by_item.len(), 300, "all published");
    assert_eq!(duplicates, 0, "no row published twice");
    second_shutdown.cancel();
}
