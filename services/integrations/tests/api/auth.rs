//! SPEC §4 on the integrations API: 401 for any bad token, 403 without the role, 404 for
//! another company's integration.

use navsync_test_support::token;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{code, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn requests_without_a_valid_token_are_unauthorized() {
    let app = spawn_app().await;
    let good = token(app.company_id);
    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing", None),
        ("malformed", Some("not-a-jwt".into())),
        (
            "bad signature",
            Some(token(app.company_id).signed_with("another-key").encode()),
        ),
        ("expired", Some(token(app.company_id).expired().encode())),
        ("empty", Some(String::new())),
    ];
    for (what, bearer) in cases {
        let (status, body) = app
            .send(Method::GET, "/v1/integrations", bearer.as_deref(), None)
            .await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(code(&body), "unauthorized", "{what}");
    }
    let res = app
        .http
        .get(app.url("/v1/integrations"))
        .header("Authorization", format!("Basic {}", good.encode()))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 401, "a non-bearer scheme");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_the_company_admin_role_is_forbidden() {
    let app = spawn_app().await;
    let member = token(app.company_id).roles(&["Member"]).encode();
    for (method, path) in [
        (Method::GET, "/v1/integrations"),
        (Method::POST, "/v1/integrations"),
    ] {
        let body = json!({"organization": "p2anav-dev", "pat": "x"});
        let (status, answer) = app.send(method, path, Some(&member), Some(body)).await;
        assert_eq!(status, 403, "{answer}");
        assert_eq!(code(&answer), "forbidden");
    }
    assert!(app.emulator.emulator.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn another_companys_integration_is_not_found_on_every_endpoint() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let stranger = token(Uuid::new_v4()).encode();
    let cases = [
        (Method::GET, format!("/v1/integrations/{id}"), None),
        (
            Method::PATCH,
            format!("/v1/integrations/{id}"),
            Some(json!({"enabled": false})),
        ),
        (Method::DELETE, format!("/v1/integrations/{id}"), None),
        (
            Method::POST,
            format!("/v1/integrations/{id}/reveal"),
            Some(json!({"field": "pat"})),
        ),
        (
            Method::POST,
            format!("/v1/integrations/{id}/webhook-secret/rotate"),
            None,
        ),
        (Method::GET, format!("/v1/integrations/{id}/projects"), None),
        (Method::GET, format!("/v1/integrations/{id}/audit"), None),
    ];
    for (method, path, body) in cases {
        let (status, answer) = app.send(method.clone(), &path, Some(&stranger), body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
        assert_eq!(code(&answer), "not_found");
    }
    let (_, list) = app
        .send(Method::GET, "/v1/integrations", Some(&stranger), None)
        .await;
    assert_eq!(list["items"], json!([]));
    // Still there, untouched, for its own company.
    let (status, view) = app
        .admin(Method::GET, &format!("/v1/integrations/{id}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(view["enabled"], true);
    assert_eq!(app.audit_actions(&id).await, ["validated", "created"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_id_is_not_found() {
    let app = spawn_app().await;
    let (status, body) = app
        .admin(Method::GET, "/v1/integrations/not-a-uuid", None)
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = app.admin(Method::GET, "/v1/nowhere", None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(code(&body), "not_found");
}
