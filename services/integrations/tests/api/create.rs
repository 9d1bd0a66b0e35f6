//! `POST /v1/integrations`: every row of SPEC §5's table.

use chrono::{TimeDelta, Utc};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{GOOD_PAT, SCOPELESS_PAT, UNKNOWN_PAT, code, spawn_app, spawn_app_with};

#[tokio::test(flavor = "multi_thread")]
async fn adding_an_integration_with_valid_credentials_answers_the_view() {
    let app = spawn_app().await;
    let (status, body) = app.create("p2anav-dev", GOOD_PAT).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id");
    assert_eq!(body["company_id"], json!(app.company_id.to_string()));
    assert_eq!(body["organization"], "p2anav-dev");
    assert_eq!(body["enabled"], true);
    assert_eq!(body["status"], "active");
    assert_eq!(body["status_reason"], json!(null));
    assert_eq!(
        body["pat_hint"],
        format!("****{}", &GOOD_PAT[GOOD_PAT.len() - 4..])
    );
    assert_eq!(
        body["webhook_url"],
        format!("http://127.0.0.1:8083/hooks/ado/{id}")
    );
    assert!(
        body["webhook_secret_hint"]
            .as_str()
            .expect("hint")
            .starts_with("****")
    );
    assert_eq!(body["project"], "Alpha", "the only project is the default");
    assert_eq!(body["work_item_type"], "Task");
    assert_eq!(body["state_mapping"], json!({}));
    assert_eq!(body["on_action_item_deleted"], "keep");
    assert!(body["last_validated_at"].is_string());
    let text = body.to_string();
    assert!(!text.contains(GOOD_PAT));
    assert!(body.get("pat").is_none() && body.get("webhook_secret").is_none());
    assert_eq!(app.audit_actions(id).await, ["validated", "created"]);
}

/// The admin page's Add modal takes the PAT's expiry date with the PAT (issue #11).
#[tokio::test(flavor = "multi_thread")]
async fn the_pats_expiry_date_may_come_with_the_create_and_a_bad_one_stores_nothing() {
    let app = spawn_app().await;
    for bad in ["2020-01-01", "soon", "+10000-01-01"] {
        let (status, body) = app
            .admin(
                Method::POST,
                "/v1/integrations",
                Some(json!({"organization": "p2anav-dev", "pat": GOOD_PAT, "pat_expires_at": bad})),
            )
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(code(&body), "invalid_pat_expires_at");
    }
    assert!(
        app.emulator.emulator.requests().is_empty(),
        "a bad date is refused before ADO is asked"
    );
    assert_eq!(app.count().await, 0);

    let in_five_days = (Utc::now() + TimeDelta::days(5))
        .format("%Y-%m-%d")
        .to_string();
    let (status, body) = app
        .admin(
            Method::POST,
            "/v1/integrations",
            Some(json!({"organization": "p2anav-dev", "pat": GOOD_PAT, "pat_expires_at": in_five_days})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["pat_expires_at"], format!("{in_five_days}T23:59:59Z"));
    assert_eq!(body["pat_expiry_warning"]["threshold_days"], 7, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organization_with_several_projects_has_no_default_project() {
    let app = spawn_app().await;
    let (status, body) = app.create("two-projects", GOOD_PAT).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["project"], json!(null));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_organization_name_is_refused_before_any_request_to_ado() {
    let app = spawn_app().await;
    for name in [
        "",
        "-lead",
        "trail-",
        "evil.example.com",
        "a/b",
        "../x",
        "a?x=1",
        "a#b",
        "name with spaces",
        "a%2f",
        "x\r\nHost: evil",
        "user@evil.example",
        &"x".repeat(51),
    ] {
        let (status, body) = app.create(name, GOOD_PAT).await;
        assert_eq!(status, 422, "{name:?}: {body}");
        assert_eq!(code(&body), "invalid_organization");
    }
    assert!(
        app.emulator.emulator.requests().is_empty(),
        "ADO was called: {:?}",
        app.emulator.emulator.requests()
    );
    assert_eq!(app.count().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_pat_is_refused_before_any_request_to_ado() {
    let app = spawn_app().await;
    for pat in ["", "has space", "tab\there", "naïve-pat", &"a".repeat(513)] {
        let (status, body) = app.create("p2anav-dev", pat).await;
        assert_eq!(status, 422, "{pat:?}: {body}");
        assert_eq!(code(&body), "invalid_pat");
        assert!(!body.to_string().contains("has space"));
    }
    assert!(app.emulator.emulator.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organization_ado_does_not_know_never_receives_the_pat() {
    let app = spawn_app().await;
    let (status, body) = app.create("no-such-org", GOOD_PAT).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "organization_not_found");
    let requests = app.emulator.emulator.requests();
    assert!(!requests.is_empty(), "the existence check reached ADO");
    assert!(
        requests.iter().all(|r| !r.has_authorization),
        "a PAT was sent: {requests:?}"
    );
    assert_eq!(app.count().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pat_ado_rejects_is_pat_rejected_in_each_of_ados_shapes() {
    let app = spawn_app().await;
    // 401 JSON, a 203 sign-in page, and a 302 to sign in.
    for org in ["p2anav-dev", "signin-page", "signin-redirect"] {
        let (status, body) = app.create(org, UNKNOWN_PAT).await;
        assert_eq!(status, 400, "{org}: {body}");
        assert_eq!(code(&body), "pat_rejected", "{org}");
        assert!(!body.to_string().contains(UNKNOWN_PAT));
    }
    assert_eq!(app.count().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pat_without_the_project_scope_is_insufficient_scope_whether_ado_says_401_or_403() {
    let app = spawn_app().await;
    for org in ["p2anav-dev", "scope-forbidden"] {
        let (status, body) = app.create(org, SCOPELESS_PAT).await;
        assert_eq!(status, 400, "{org}: {body}");
        assert_eq!(code(&body), "pat_insufficient_scope", "{org}");
    }
    assert_eq!(app.count().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn ado_failing_with_5xx_after_the_retry_is_ado_unavailable() {
    let app = spawn_app().await;
    app.fault(json!({"path_contains": "/_apis/projects", "status": 503, "count": 2}))
        .await;
    let (status, body) = app.create("p2anav-dev", GOOD_PAT).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(code(&body), "ado_unavailable");
    assert_eq!(app.count().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_transient_ado_failure_is_retried_and_the_create_succeeds() {
    let app = spawn_app().await;
    app.fault(json!({"path_contains": "connectionData", "status": 500, "count": 1}))
        .await;
    let (status, body) = app.create("p2anav-dev", GOOD_PAT).await;
    assert_eq!(status, 201, "{body}");
    let calls = app
        .emulator
        .emulator
        .requests()
        .iter()
        .filter(|r| r.path.contains("connectionData"))
        .count();
    assert_eq!(calls, 2, "one failure, one retry");
}

#[tokio::test(flavor = "multi_thread")]
async fn ado_timing_out_is_ado_unavailable() {
    let app = spawn_app_with(&[("NAVSYNC_ADO__TIMEOUT_MS", "300")]).await;
    app.fault(json!({"path_contains": "resourceAreas", "delay_ms": 1500, "count": 2}))
        .await;
    let (status, body) = app.create("p2anav-dev", GOOD_PAT).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(code(&body), "ado_unavailable");
    assert_eq!(app.count().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn ado_unreachable_is_ado_unavailable() {
    // Nothing listens on port 9 of loopback (discard is not served here).
    let app = spawn_app_with(&[("NAVSYNC_ADO__BASE_URL", "http://127.0.0.1:9")]).await;
    let (status, body) = app.create("p2anav-dev", GOOD_PAT).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(code(&body), "ado_unavailable");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_integration_for_the_same_company_is_a_conflict() {
    let app = spawn_app().await;
    app.create_ok().await;
    let before = app.emulator.emulator.requests().len();
    let (status, body) = app.create("two-projects", GOOD_PAT).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(code(&body), "integration_exists");
    assert_eq!(
        app.emulator.emulator.requests().len(),
        before,
        "no ADO call for a conflict"
    );
    assert_eq!(app.count().await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_and_oversized_bodies_get_clear_errors() {
    let app = spawn_app().await;
    let post = |body: String, content_type: &'static str| {
        app.http
            .post(app.url("/v1/integrations"))
            .bearer_auth(&app.admin_token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let res = post("{not json".into(), "application/json")
        .await
        .expect("sent");
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(code(&body), "invalid_json");

    let res = post(r#"{"organization": "x"}"#.into(), "application/json")
        .await
        .expect("sent");
    assert_eq!(res.status(), 400, "a missing field is named");
    let body: serde_json::Value = res.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("pat")
    );

    let huge = format!(
        r#"{{"organization": "x", "pat": "{}"}}"#,
        "a".repeat(200_000)
    );
    let res = post(huge, "application/json").await.expect("sent");
    assert_eq!(res.status(), 413);

    let res = post("organization=x".into(), "text/plain")
        .await
        .expect("sent");
    assert_eq!(res.status(), 415);
    assert!(app.emulator.emulator.requests().is_empty());
}
