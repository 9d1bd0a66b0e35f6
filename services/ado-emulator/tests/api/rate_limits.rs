//! Rate limits per PAT identity: 429 with `Retry-After` and the `X-RateLimit-*` headers,
//! and the record of requests that came back before their `Retry-After` had passed.

use std::time::Duration;

use navsync_ado_emulator::{RateLimit, SeedOrganization};
use serde_json::json;

use crate::helpers::{
    API, FULL_PAT, NAVSYNC_USER, ORG, PROJECT_WRITE_PAT, json, spawn, spawn_with, standard_org,
    wit_error,
};

fn projects() -> String {
    format!("/{ORG}/_apis/projects?{API}")
}

#[tokio::test]
async fn over_budget_an_identity_gets_429_with_retry_after_and_the_rate_limit_headers() {
    let app = spawn_with(vec![SeedOrganization {
        rate_limit: Some(RateLimit::new(2, 60)),
        ..standard_org()
    }])
    .await;
    let first = app
        .get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(first.status().as_u16(), 200);
    assert_eq!(first.headers()["x-ratelimit-limit"], "2");
    assert_eq!(first.headers()["x-ratelimit-remaining"], "1");
    app.get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");

    let refused = app
        .get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status().as_u16(), 429);
    let headers = refused.headers().clone();
    let retry_after: u64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(headers["x-ratelimit-resource"], "ATCPU");
    assert_eq!(headers["x-ratelimit-limit"], "2");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert!(headers.contains_key("x-ratelimit-delay"));
    let reset: i64 = headers["x-ratelimit-reset"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("epoch seconds");
    assert!(reset > chrono::Utc::now().timestamp());
    let (_, body) = json(refused).await;
    assert!(wit_error(&body).1.starts_with("TF400733"));

    // The budget is per identity: another PAT's identity is not held back.
    let other = app
        .get_as(&projects(), PROJECT_WRITE_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(other.status().as_u16(), 200);
}

#[tokio::test]
async fn a_client_that_waits_for_retry_after_is_not_recorded_and_one_that_does_not_is() {
    let app = spawn().await;
    app.emulator
        .set_rate_limit(ORG, Some(RateLimit::new(1, 1)))
        .expect("a valid limit");
    app.get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    let refused = app
        .get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status().as_u16(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");

    // Waiting as told: served, and nothing is recorded.
    tokio::time::sleep(Duration::from_millis(wait * 1000 + 50)).await;
    let patient = app
        .get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(patient.status().as_u16(), 200);
    assert!(app.emulator.early_requests().is_empty());

    // Not waiting: refused again, and recorded.
    let refused = app
        .get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status().as_u16(), 429);
    let impatient = app
        .get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(impatient.status().as_u16(), 429);
    let early = app.emulator.early_requests();
    assert_eq!(early.len(), 1, "{early:?}");
    assert_eq!(early[0].identity, NAVSYNC_USER);
    assert_eq!(early[0].path, format!("/{ORG}/_apis/projects"));
    assert!(early[0].early_by_ms > 0);

    let (_, body) = json(
        app.get("/_emulator/rate-limits/early")
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(body["items"][0]["identity"], NAVSYNC_USER);
    let log = app.emulator.requests();
    assert!(log.last().is_some_and(|r| r.early && r.status == Some(429)));
}

#[tokio::test]
async fn the_rate_limit_is_set_and_lifted_through_the_control_api() {
    let app = spawn().await;
    let (status, body) = app
        .control(
            &format!("/organizations/{ORG}/rate-limit"),
            &json!({"requests": 1, "window_secs": 300}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    let refused = app
        .get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status().as_u16(), 429);
    let lifted = app
        .client
        .delete(app.url(&format!("/_emulator/organizations/{ORG}/rate-limit")))
        .send()
        .await
        .expect("answered");
    assert_eq!(lifted.status().as_u16(), 204);
    let served = app
        .get_as(&projects(), FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(served.status().as_u16(), 200);
    assert!(!served.headers().contains_key("x-ratelimit-limit"));
    let (status, _) = app
        .control(
            &format!("/organizations/{ORG}/rate-limit"),
            &json!({"requests": 0, "window_secs": 300}),
        )
        .await;
    assert_eq!(status, 400);
}
