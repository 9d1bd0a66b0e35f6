//! Injected faults: status for the next N matching requests, delays, Retry-After.

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
