//! Who may call: the integration's Webhook Client Secret as the Basic password, and
//! nobody else — with one indistinguishable 401 for every way of not being that caller,
//! and never a 401 for our own failure.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::{GOOD_PAT, Options, fixture, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread")]
async fn every_refusal_is_the_same_401_and_publishes_nothing() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&fixture("workitem.updated.json")).expect("json");
    let unknown = Uuid::new_v4().to_string();
    let id = app.integration_id.clone();
    let cases: Vec<(&str, String, Option<String>)> = vec![
        (
            "wrong password",
            id.clone(),
            Some(format!("{}x", app.secret)),
        ),
        ("empty password", id.clone(), Some(String::new())),
        ("no credentials", id.clone(), None),
        (
            "unknown integration",
            unknown.clone(),
            Some(app.secret.clone()),
        ),
        ("unknown integration, no credentials", unknown, None),
        ("malformed id", "not-an-id".into(), Some(app.secret.clone())),
    ];
    let mut answers = Vec::new();
    for (case, path_id, password) in &cases {
        let answer = app
            .post_raw(path_id, password.as_deref(), body.clone())
            .await;
        assert_eq!(answer.status, 401, "{case}: {}", answer.text);
        answers.push((case, answer));
    }
    // A bearer token instead of Basic credentials is no better.
    let res = app
        .http
        .post(app.hook_url())
        .bearer_auth(&app.secret)
        .body(body.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 401);

    let (_, first) = &answers[0];
    assert_eq!(first.body["error"]["code"], "unauthorized");
    assert!(
        first
            .www_authenticate
            .as_deref()
            .is_some_and(|h| h.starts_with("Basic"))
    );
    for (case, answer) in &answers {
        assert_eq!(answer.text, first.text, "{case}: the same body");
        assert_eq!(answer.www_authenticate, first.www_authenticate, "{case}");
        assert_eq!(answer.retry_after, None, "{case}");
    }
    assert!(app.events.settled(0).await.is_empty(), "nothing published");
    assert_eq!(app.webhooks_total("unauthorized", "unknown").await, 7.0);

    // And the right secret still works.
    assert_eq!(
        app.deliver(&fixture("workitem.updated.json")).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_integrations_webhooks_are_answered_200_dropped_and_counted() {
    let app = spawn_app().await;
    app.set_enabled(false).await;
    let answer = app.deliver(&fixture("workitem.updated.json")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["status"], "dropped");
    assert!(app.events.settled(0).await.is_empty(), "nothing published");
    assert_eq!(
        app.webhooks_total("disabled", "workitem.updated").await,
        1.0
    );
    // A disabled integration still needs its secret.
    let answer = app
        .post_raw(&app.integration_id, Some("wrong"), b"{}".to_vec())
        .await;
    assert_eq!(answer.status, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn when_integrations_cannot_be_asked_the_answer_is_503_with_retry_after_never_401() {
    let app = spawn_app_with(Options {
        integrations_url: Some("http://127.0.0.1:9".into()),
        ..Options::default()
    })
    .await;
    let answer = app.deliver(&fixture("workitem.updated.json")).await;
    assert_eq!(answer.status, 503, "{}", answer.text);
    assert_eq!(answer.retry_after.as_deref(), Some("5"));
    assert_eq!(answer.body["error"]["code"], "integrations_unavailable");
    assert_eq!(app.webhooks_total("unavailable", "unknown").await, 1.0);
    // Missing credentials are the caller's fault whatever our state.
    let answer = app
        .post_raw(&app.integration_id, None, b"{}".to_vec())
        .await;
    assert_eq!(answer.status, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_or_password_ever_reaches_the_logs() {
    let app = spawn_app().await;
    let wrong = "wrong-password-that-must-not-be-logged";
    let body = fixture("workitem.updated.json");
    assert_eq!(app.deliver(&body).await.status, 200);
    let bytes = serde_json::to_vec(&body).expect("json");
    assert_eq!(
        app.post_raw(&app.integration_id, Some(wrong), bytes.clone())
            .await
            .status,
        401
    );
    let mut unusable = body.clone();
    unusable["resource"] = json!(null);
    assert_eq!(app.deliver(&unusable).await.status, 200);
    app.events.settled(1).await;
    let logs = app.logs.text();
    assert!(logs.contains("webhook refused"), "the refusal is logged");
    assert!(!logs.contains(&app.secret), "the webhook secret was logged");
    assert!(!logs.contains(wrong), "a wrong password was logged");
    assert!(!logs.contains(GOOD_PAT), "the PAT was logged");
}

/// How many times integrations answered its internal lookup with `status` (the metrics
/// registry is the process's, shared by both services running here).
async fn lookups(app: &crate::helpers::TestApp, status: u16) -> f64 {
    let text = app
        .http
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .filter(|l| {
            l.starts_with("http_requests_total{")
                && l.contains("route=\"/internal/v1/integrations/{id}\"")
                && l.contains(&format!("status=\"{status}\""))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_ids_are_remembered_and_a_flood_of_them_is_refused_calmly() {
    let app = spawn_app().await;
    let unknown = Uuid::new_v4().to_string();
    for _ in 0..20 {
        let answer = app
            .post_raw(&unknown, Some(&app.secret), b"{}".to_vec())
            .await;
        assert_eq!(answer.status, 401);
    }
    assert_eq!(lookups(&app, 404).await, 1.0, "integrations was asked once");

    let flood = (0..150).map(|_| {
        let id = Uuid::new_v4().to_string();
        let app = &app;
        async move {
            app.post_raw(&id, Some("guess"), b"{}".to_vec())
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(flood).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(lookups(&app, 404).await, 151.0);

    // Known integrations are cached too: many deliveries, one lookup.
    for n in 0..5 {
        let mut body = fixture("workitem.updated.json");
        body["notificationId"] = json!(n);
        assert_eq!(app.deliver(&body).await.status, 200);
    }
    assert_eq!(lookups(&app, 200).await, 1.0);
}
