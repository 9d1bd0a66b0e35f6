//! The per-integration rate limit, and the operator's routes.

use navsync_webhook_ingress::IngressSettings;
use serde_json::json;

use crate::helpers::{Options, fixture, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread")]
async fn over_its_rate_an_integration_gets_503_with_retry_after() {
    let app = spawn_app_with(Options {
        ingress: IngressSettings {
            rate_per_sec: 1,
            burst: 2,
            ..IngressSettings::default()
        },
        ..Options::default()
    })
    .await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for n in 1..=3 {
        let mut body = fixture("workitem.updated.json");
        body["notificationId"] = json!(n);
        let answer = app.deliver(&body).await;
        statuses.push(answer.status);
        if answer.status == 503 {
            assert_eq!(answer.body["error"]["code"], "rate_limited");
            retry_after = answer.retry_after;
        }
    }
    assert_eq!(statuses, vec![200, 200, 503]);
    let secs: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!((1..=2).contains(&secs), "{secs}");
    assert_eq!(app.events.settled(2).await.len(), 2);
    assert_eq!(app.webhooks_total("rate_limited", "unknown").await, 1.0);

    // A caller without the secret cannot spend the integration's budget.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for _ in 0..5 {
        let answer = app
            .post_raw(&app.integration_id, Some("wrong"), b"{}".to_vec())
            .await;
        assert_eq!(answer.status, 401);
    }
    assert_eq!(
        app.deliver(&fixture("workitem.updated.json")).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_readiness_and_metrics_are_served() {
    let app = spawn_app().await;
    assert_eq!(
        app.deliver(&fixture("workitem.updated.json")).await.status,
        200
    );
    let get = |path: &str| app.http.get(format!("{}{path}", app.address)).send();
    assert_eq!(get("/healthz").await.expect("healthz").status(), 200);
    let ready = get("/readyz").await.expect("readyz");
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(ready["checks"]["broker"], "ok");
    let metrics = get("/metrics")
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.lines().any(
            |l| l.starts_with("webhook_last_received_timestamp_seconds{")
                && l.contains(&app.integration_id)
        ),
        "{metrics}"
    );
    assert_eq!(
        app.webhooks_total("accepted", "workitem.updated").await,
        1.0
    );
    assert_eq!(
        get("/hooks/ado").await.expect("sent").status(),
        404,
        "unknown routes answer 404"
    );
}
