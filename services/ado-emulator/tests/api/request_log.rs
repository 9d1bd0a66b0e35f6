//! The request log: what was asked of the ADO routes, answered how, by whom.

use crate::helpers::{FULL_PAT, NAVSYNC_USER, json, spawn};

#[tokio::test]
async fn the_request_log_records_status_and_identity_and_never_the_pat() {
    let app = spawn().await;
    app.get_as("/p2anav-dev/_apis/projects?api-version=7.1", FULL_PAT)
        .send()
        .await
        .expect("answered");
    app.get("/p2anav-dev/_apis/projects?api-version=7.1")
        .send()
        .await
        .expect("answered");

    let response = app
        .get("/_emulator/requests")
        .send()
        .await
        .expect("answered");
    let text = response.text().await.expect("a body");
    assert!(!text.contains(FULL_PAT), "the log leaks the PAT: {text}");
    let body: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "control calls are not logged: {text}");

    let first = &items[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/p2anav-dev/_apis/projects");
    assert_eq!(first["query"], "api-version=7.1");
    assert_eq!(first["has_authorization"], true);
    assert_eq!(first["identity"], NAVSYNC_USER);
    assert_eq!(first["status"], 200);
    assert!(first["at"].is_string());

    let second = &items[1];
    assert_eq!(second["seq"].as_u64(), first["seq"].as_u64().map(|s| s + 1));
    assert_eq!(second["has_authorization"], false);
    assert!(second["identity"].is_null());
    assert_eq!(second["status"], 401);
}

#[tokio::test]
async fn health_and_metrics_are_served_but_not_logged() {
    let app = spawn().await;
    let health = app.get("/healthz").send().await.expect("answered");
    assert_eq!(health.status().as_u16(), 200);
    let metrics = app.get("/metrics").send().await.expect("answered");
    assert_eq!(metrics.status().as_u16(), 200);
    assert!(app.emulator.requests().is_empty());
}

#[tokio::test]
async fn clearing_the_request_log_empties_it() {
    let app = spawn().await;
    app.get_as("/p2anav-dev/_apis/connectionData", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let cleared = app
        .client
        .delete(app.url("/_emulator/requests"))
        .send()
        .await
        .expect("answered");
    assert_eq!(cleared.status().as_u16(), 204);
    let (_, body) = json(
        app.get("/_emulator/requests")
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(body["items"], serde_json::json!([]));
}
