//! Injected faults and latency: status for the next N matching requests, delays,
//! Retry-After, dropped connections, "carried out then failed", and latency for all.

use std::time::{Duration, Instant};

use navsync_ado_emulator::Fault;
use serde_json::json;

use crate::helpers::{FULL_PAT, ado_error, json, spawn};

const PROJECTS: &str = "/p2anav-dev/_apis/projects?api-version=7.1";

#[tokio::test]
async fn a_fault_answers_its_status_count_times_then_requests_succeed() {
    let app = spawn().await;
    let posted = app
        .post("/_emulator/faults")
        .json(&json!({"method": "GET", "path_contains": "/_apis/projects", "status": 503, "count": 2, "retry_after": 3}))
        .send()
        .await
        .expect("answered");
    assert_eq!(posted.status().as_u16(), 201);

    for _ in 0..2 {
        let response = app
            .get_as(PROJECTS, FULL_PAT)
            .send()
            .await
            .expect("answered");
        assert_eq!(response.headers()["retry-after"], "3");
        let (status, body) = json(response).await;
        assert_eq!(status, 503);
        ado_error(&body);
    }
    let recovered = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(recovered.status().as_u16(), 200);
    let statuses: Vec<_> = app.emulator.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
}

#[tokio::test]
async fn a_fault_leaves_requests_it_does_not_match_alone() {
    let app = spawn().await;
    app.emulator
        .add_fault(Fault {
            path_contains: Some("/_apis/projects".into()),
            ..Fault::status(500, 1)
        })
        .expect("a valid fault");
    let other = app
        .get_as("/p2anav-dev/_apis/connectionData", FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(other.status().as_u16(), 200);
    let matched = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(matched.status().as_u16(), 500);
}

#[tokio::test]
async fn a_fault_is_checked_before_authentication() {
    let app = spawn().await;
    app.emulator
        .add_fault(Fault::status(429, 1))
        .expect("a valid fault");
    let response = app.get(PROJECTS).send().await.expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 429);
    assert!(ado_error(&body).1.starts_with("TF400733"));
}

#[tokio::test]
async fn a_delay_only_fault_makes_a_client_time_out_then_answers_normally() {
    let app = spawn().await;
    app.post("/_emulator/faults")
        .json(&json!({"delay_ms": 1500}))
        .send()
        .await
        .expect("answered");
    let timed_out = app
        .get_as(PROJECTS, FULL_PAT)
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(timed_out.is_err_and(|e| e.is_timeout()));

    app.post("/_emulator/faults")
        .json(&json!({"delay_ms": 300}))
        .send()
        .await
        .expect("answered");
    let started = Instant::now();
    let late = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(late.status().as_u16(), 200);
}

#[tokio::test]
async fn cleared_faults_no_longer_apply() {
    let app = spawn().await;
    app.emulator
        .add_fault(Fault::status(503, 5))
        .expect("a valid fault");
    let cleared = app
        .client
        .delete(app.url("/_emulator/faults"))
        .send()
        .await
        .expect("answered");
    assert_eq!(cleared.status().as_u16(), 204);
    let response = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn an_invalid_fault_is_a_400() {
    let app = spawn().await;
    let response = app
        .post("/_emulator/faults")
        .json(&json!({"status": 503, "count": 0}))
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 400);
    assert!(ado_error(&body).1.contains("count"));
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_for_the_client() {
    let app = spawn().await;
    let posted = app
        .post("/_emulator/faults")
        .json(&json!({"path_contains": "/_apis/projects", "drop_connection": true}))
        .send()
        .await
        .expect("answered");
    assert_eq!(posted.status().as_u16(), 201);
    let dropped = app.get_as(PROJECTS, FULL_PAT).send().await;
    let err = dropped.expect_err("no answer at all");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    let log = app.emulator.requests();
    assert!(log[0].dropped && log[0].status.is_none(), "{log:?}");
    // The connection fault was used up: the next request is served.
    let served = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(served.status().as_u16(), 200);
}

#[tokio::test]
async fn a_commit_then_fail_fault_creates_the_work_item_yet_answers_500() {
    let app = spawn().await;
    app.emulator
        .add_fault(
            Fault::status(500, 1)
                .matching("POST", "/_apis/wit/workitems")
                .after_commit(),
        )
        .expect("a valid fault");
    let ops = json!([{"op": "add", "path": "/fields/System.Title", "value": "Lost answer"}]);
    let response = app
        .patch_doc(
            reqwest::Method::POST,
            "/p2anav-dev/Alpha/_apis/wit/workitems/$Task?api-version=7.1",
            &ops,
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 500);
    let items = app.emulator.work_items("p2anav-dev");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].text("System.Title"), "Lost answer");
}

#[tokio::test]
async fn a_commit_then_drop_fault_applies_the_update_and_loses_the_connection() {
    let app = spawn().await;
    let id = app.create_task("Before").await;
    app.post("/_emulator/faults")
        .json(&json!({"method": "PATCH", "path_contains": "/_apis/wit/workitems/", "drop_connection": true, "after_commit": true}))
        .send()
        .await
        .expect("answered");
    let ops = json!([{"op": "replace", "path": "/fields/System.Title", "value": "After"}]);
    let result = app
        .patch_doc(
            reqwest::Method::PATCH,
            &format!("/p2anav-dev/_apis/wit/workitems/{id}?api-version=7.1"),
            &ops,
        )
        .send()
        .await;
    assert!(result.is_err(), "the client sees no answer");
    let stored = app
        .emulator
        .work_item("p2anav-dev", id as u32)
        .expect("stored");
    assert_eq!(stored.rev, 2);
    assert_eq!(stored.text("System.Title"), "After");
}

#[tokio::test]
async fn latency_holds_every_request_and_jitter_varies_it() {
    let app = spawn().await;
    let (status, body) = app
        .control("/latency", &json!({"fixed_ms": 200, "jitter_ms": 0}))
        .await;
    assert_eq!(status, 200, "{body}");
    let started = Instant::now();
    let response = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    assert!(started.elapsed() >= Duration::from_millis(200));

    app.emulator
        .set_latency(navsync_ado_emulator::Latency::with_jitter(50, 100))
        .expect("valid latency");
    let started = Instant::now();
    app.get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(50) && took < Duration::from_millis(1000),
        "{took:?}"
    );

    let cleared = app
        .client
        .delete(app.url("/_emulator/latency"))
        .send()
        .await
        .expect("answered");
    assert_eq!(cleared.status().as_u16(), 204);
    assert_eq!(
        app.emulator.latency(),
        navsync_ado_emulator::Latency::default()
    );
}

#[tokio::test]
async fn a_fault_delay_with_jitter_waits_at_least_the_delay() {
    let app = spawn().await;
    app.post("/_emulator/faults")
        .json(&json!({"delay_ms": 100, "jitter_ms": 50}))
        .send()
        .await
        .expect("answered");
    let started = Instant::now();
    app.get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert!(started.elapsed() >= Duration::from_millis(100));
}
