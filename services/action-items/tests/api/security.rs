//! Issue #10, hostile input on the action items API: forged tokens on every endpoint,
//! company B probing company A's items, deeply nested and oversized bodies. After each
//! attack the service still answers, A's items are unchanged and nothing was published.

use navsync_platform::settings::{DEV_JWT_SECRET, DEV_SERVICE_TOKEN};
use navsync_test_support::{forge::hostile_tokens, token};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

fn every_endpoint(id: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, "/v1/action-items".into(), None),
        (Method::GET, "/v1/action-items?limit=200".into(), None),
        (
            Method::POST,
            "/v1/action-items".into(),
            Some(json!({"title": "planted"})),
        ),
        (Method::GET, format!("/v1/action-items/{id}"), None),
        (
            Method::PATCH,
            format!("/v1/action-items/{id}"),
            Some(json!({"title": "changed by a stranger", "status": "done"})),
        ),
        (Method::DELETE, format!("/v1/action-items/{id}"), None),
    ]
}

async fn send(
    app: &TestApp,
    bearer: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut req = app.http.request(method, app.url(path)).bearer_auth(bearer);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("sent");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

/// A's item is as created (title, version 1), A still sees exactly its items, and the
/// only events published are A's own creations.
async fn assert_untouched(app: &TestApp, item: &Value, items_of_a: usize) {
    let id = item["id"].as_str().expect("id");
    let (status, now) = app.get(id).await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(now["title"], item["title"]);
    assert_eq!(now["version"], 1);
    let (_, list) = app.call(Method::GET, "/v1/action-items", None, &[]).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(items_of_a));
    let events = app.events.settled(items_of_a).await;
    assert_eq!(
        events.len(),
        items_of_a,
        "only A's creations were published"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_and_malformed_tokens_are_401_on_every_endpoint() {
    let app = spawn_app().await;
    let item = app.create_ok("Mine").await;
    let id = item["id"].as_str().expect("id");
    let mut refused = 0;
    for (what, bad) in hostile_tokens(app.company_id) {
        for (method, path, body) in every_endpoint(id) {
            let (status, text) = send(&app, &bad, method.clone(), &path, body).await;
            assert_eq!(status, 401, "{what}: {method} {path}: {text}");
            assert!(text.contains("unauthorized"), "{what}: {text}");
            assert!(!text.contains("Mine"), "{what}: data in a 401");
            refused += 1;
        }
    }
    assert!(refused > 150, "{refused} refusals");
    let (status, _) = send(
        &app,
        DEV_SERVICE_TOKEN,
        Method::GET,
        "/v1/action-items",
        None,
    )
    .await;
    assert_eq!(status, 401, "the service token is no user token");
    assert_untouched(&app, &item, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn company_b_can_neither_read_change_delete_nor_list_company_as_items() {
    let app = spawn_app().await;
    let item = app.create_ok("A's secret plan").await;
    let id = item["id"].as_str().expect("id");
    let b = token(Uuid::new_v4()).encode();
    // B has an item of its own.
    let (status, text) = send(
        &app,
        &b,
        Method::POST,
        "/v1/action-items",
        Some(json!({"title": "B's", "sync_to_ado": false})),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    for (method, path, body) in every_endpoint(id) {
        if path.starts_with("/v1/action-items?") || path == "/v1/action-items" {
            continue;
        }
        let (status, text) = send(&app, &b, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {text}");
        assert!(
            !text.contains("secret plan") && !text.contains(id),
            "{text}"
        );
    }
    // If-Match and Idempotency-Key do not open a side door.
    for (header, value) in [("If-Match", "1"), ("Idempotency-Key", "k1")] {
        let res = app
            .http
            .patch(app.url(&format!("/v1/action-items/{id}")))
            .bearer_auth(&b)
            .header(header, value)
            .json(&json!({"title": "via a header"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 404, "{header}");
    }
    let (_, list) = send(&app, &b, Method::GET, "/v1/action-items?limit=200", None).await;
    let list: Value = serde_json::from_str(&list).expect("json");
    let titles: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert_eq!(titles, ["B's"]);
    // B's cursor games: a forged cursor never lists A's items.
    for cursor in ["AAAA", "%00", &"z".repeat(5000), id] {
        let (status, text) = send(
            &app,
            &b,
            Method::GET,
            &format!("/v1/action-items?cursor={cursor}"),
            None,
        )
        .await;
        assert!(status == 200 || status == 400, "cursor {cursor}: {status}");
        assert!(!text.contains("secret plan"), "cursor {cursor}: {text}");
    }
    // Two creations: A's and B's.
    let id_a = id.to_owned();
    let (status, now) = app.get(&id_a).await;
    assert_eq!(status, 200);
    assert_eq!(now["version"], 1);
    assert_eq!(now["title"], "A's secret plan");
    assert_eq!(app.events.settled(2).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn deeply_nested_and_oversized_bodies_are_refused_cleanly() {
    let app = spawn_app().await;
    let item = app.create_ok("Steady").await;
    let id = item["id"].as_str().expect("id");
    let bodies = [
        ("10 000 [", "[".repeat(10_000)),
        (
            "10 000 [ closed",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        ("10 000 {\"a\":", "{\"a\":".repeat(10_000)),
        (
            "nested inside a field",
            format!(r#"{{"title": "x", "description": {}}}"#, "[".repeat(10_000)),
        ),
        (
            "2 MiB description",
            format!(
                r#"{{"title": "x", "description": "{}"}}"#,
                "a".repeat(2 << 20)
            ),
        ),
        ("20 MiB of [", "[".repeat(20 << 20)),
        ("raw NUL byte", "{\"title\": \"a\u{0}b\"}".to_owned()),
        (
            "escaped NUL in the title",
            r#"{"title": "a\u0000b"}"#.to_owned(),
        ),
        (
            "escaped NUL in the description",
            r#"{"title": "t", "description": "a\u0000b"}"#.to_owned(),
        ),
        ("lone surrogate", r#"{"title": "a\ud800b"}"#.to_owned()),
    ];
    for (what, body) in &bodies {
        for (method, path) in [
            (Method::POST, "/v1/action-items".to_owned()),
            (Method::PATCH, format!("/v1/action-items/{id}")),
        ] {
            let res = app
                .http
                .request(method.clone(), app.url(&path))
                .bearer_auth(&app.token)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await;
            let Ok(res) = res else {
                assert!(
                    body.len() > 1 << 20,
                    "{what}: {method} {path}: connection lost"
                );
                continue;
            };
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            assert!(
                (400..500).contains(&status),
                "{what}: {method} {path}: {status} {}",
                &text[..text.len().min(300)]
            );
            assert!(!text.contains(DEV_JWT_SECRET));
            let health = app
                .http
                .get(app.url("/healthz"))
                .send()
                .await
                .expect("sent");
            assert_eq!(health.status(), 200, "{what}: the service stays up");
        }
    }
    assert_untouched(&app, &item, 1).await;
}
