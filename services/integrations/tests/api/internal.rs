//! The internal API other services use, behind the service credential.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::{GOOD_PAT, SERVICE_TOKEN, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn services_read_the_integration_with_its_credentials() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    for path in [
        format!("/internal/v1/integrations/{id}"),
        format!("/internal/v1/companies/{}/integration", app.company_id),
    ] {
        let res = app
            .http
            .get(app.url(&path))
            .bearer_auth(SERVICE_TOKEN)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 200, "{path}");
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["id"], id.as_str());
        assert_eq!(body["pat"], GOOD_PAT);
        assert_eq!(body["webhook_secret"].as_str().map(str::len), Some(43));
        assert_eq!(body["project"], "Alpha");
    }
    let res = app
        .http
        .get(app.url(&format!(
            "/internal/v1/companies/{}/integration",
            Uuid::new_v4()
        )))
        .bearer_auth(SERVICE_TOKEN)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_internal_api_refuses_users_and_wrong_credentials() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    for bearer in [
        None,
        Some(app.admin_token.as_str()),
        Some("wrong-service-token"),
    ] {
        let mut req = app
            .http
            .get(app.url(&format!("/internal/v1/integrations/{id}")));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let res = req.send().await.expect("sent");
        assert_eq!(res.status(), 401);
        let text = res.text().await.expect("body");
        assert!(!text.contains(GOOD_PAT));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn marking_needs_attention_is_idempotent_and_validated() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let mark = |reason: &'static str| {
        app.http
            .post(app.url(&format!("/internal/v1/integrations/{id}/needs-attention")))
            .bearer_auth(SERVICE_TOKEN)
            .json(&json!({"reason": reason}))
            .send()
    };
    assert_eq!(mark("pat_rejected").await.expect("sent").status(), 200);
    assert_eq!(mark("pat_rejected").await.expect("sent").status(), 200);
    assert_eq!(mark("Not A Code!").await.expect("sent").status(), 422);
    let actions = app.audit_actions(&id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "needs_attention").count(),
        1
    );
}
