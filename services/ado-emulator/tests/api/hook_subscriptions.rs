//! Subscriptions through ADO's REST API (`_apis/hooks/subscriptions`) and through the
//! control API.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{API, NAVSYNC_USER, ORG, READ_ONLY_PAT, json};
use crate::hook_helpers::with_receiver;

fn body(url: &str) -> Value {
    json!({
        "publisherId": "tfs",
        "eventType": "workitem.updated",
        "resourceVersion": "1.0",
        "consumerId": "webHooks",
        "consumerActionId": "httpRequest",
        "publisherInputs": {"projectId": ""},
        "consumerInputs": {
            "url": url,
            "basicAuthUsername": "ado",
            "basicAuthPassword": "secret-password",
            "resourceDetailsToSend": "all",
            "httpHeaders": "X-Navsync-Test:yes"
        }
    })
}

#[tokio::test]
async fn a_subscription_is_created_read_replaced_and_deleted_through_the_rest_api() {
    let (app, receiver) = with_receiver(&[]).await;
    let path = format!("/{ORG}/_apis/hooks/subscriptions?{API}");
    let (status, created) = json(
        app.ado(Method::POST, &path)
            .json(&body(&receiver.url))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().expect("an id").to_owned();
    assert_eq!(created["status"], "enabled");
    assert_eq!(created["publisherId"], "tfs");
    assert_eq!(created["eventType"], "workitem.updated");
    assert_eq!(created["consumerId"], "webHooks");
    assert_eq!(created["consumerActionId"], "httpRequest");
    assert_eq!(created["createdBy"]["uniqueName"], NAVSYNC_USER);
    assert!(created["modifiedDate"].is_string());
    assert_eq!(created["consumerInputs"]["url"], receiver.url);
    assert_eq!(
        created["consumerInputs"]["basicAuthPassword"], "********",
        "confidential"
    );

    let (_, list) = json(app.ado(Method::GET, &path).send().await.expect("answered")).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["value"][0]["id"], id);

    let one = format!("/{ORG}/_apis/hooks/subscriptions/{id}?{API}");
    let mut replacement = created.clone();
    replacement["status"] = "disabledByUser".into();
    let (status, replaced) = json(
        app.ado(Method::PUT, &one)
            .json(&replacement)
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["status"], "disabledByUser");
    // The masked password sent back keeps the real one.
    app.emulator.set_subscription_status(
        ORG,
        uuid::Uuid::parse_str(&id).expect("a uuid"),
        navsync_ado_emulator::SubscriptionStatus::Enabled,
    );
    app.emulator
        .edit_as_person(
            ORG,
            app.create_task("x").await as u32,
            &json!({"System.State": "Active"}),
            None,
        )
        .expect("edited");
    let received = receiver.wait_for(1).await;
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ado:secret-password")
    );
    assert_eq!(
        received[0].authorization.as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(received[0].custom_header.as_deref(), Some("yes"));

    let deleted = app
        .ado(Method::DELETE, &one)
        .send()
        .await
        .expect("answered");
    assert_eq!(deleted.status().as_u16(), 204);
    let gone = app.ado(Method::GET, &one).send().await.expect("answered");
    assert_eq!(gone.status().as_u16(), 404);
}

#[tokio::test]
async fn a_subscription_ado_would_refuse_is_a_400() {
    let (app, receiver) = with_receiver(&[]).await;
    let path = format!("/{ORG}/_apis/hooks/subscriptions?{API}");
    for (field, value) in [
        ("publisherId", json!("git")),
        ("eventType", json!("build.complete")),
        ("consumerId", json!("slack")),
    ] {
        let mut bad = body(&receiver.url);
        bad[field] = value;
        let response = app
            .ado(Method::POST, &path)
            .json(&bad)
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status().as_u16(), 400, "{field}");
    }
    let mut bad = body("not a url");
    bad["consumerInputs"]["url"] = "ftp://example.com".into();
    let response = app
        .ado(Method::POST, &path)
        .json(&bad)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 400);
    let mut bad = body(&receiver.url);
    bad["publisherInputs"]["projectId"] = "00000000-0000-0000-0000-000000000000".into();
    let response = app
        .ado(Method::POST, &path)
        .json(&bad)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 400);
}

#[tokio::test]
async fn managing_subscriptions_needs_the_hooks_scope() {
    let (app, receiver) = with_receiver(&[]).await;
    let response = app
        .client
        .post(app.url(&format!("/{ORG}/_apis/hooks/subscriptions?{API}")))
        .basic_auth("", Some(READ_ONLY_PAT))
        .json(&body(&receiver.url))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn subscriptions_created_through_the_control_api_are_listed_in_the_rest_api() {
    let (app, receiver) = with_receiver(&[]).await;
    let mut control = body(&receiver.url);
    control["publisherInputs"]["projectId"] = "Alpha".into();
    let (status, created) = app
        .control(&format!("/organizations/{ORG}/subscriptions"), &control)
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["createdBy"]["uniqueName"],
        format!("emulator-admin@{ORG}.example")
    );
    let project_id = created["publisherInputs"]["projectId"]
        .as_str()
        .expect("a project id");
    assert!(
        uuid::Uuid::parse_str(project_id).is_ok(),
        "the name became the id"
    );
    let (_, list) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/hooks/subscriptions?{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(list["count"], 1);
    let (_, control_list) = json(
        app.get(&format!("/_emulator/organizations/{ORG}/subscriptions"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(control_list["value"][0]["id"], created["id"]);
}

#[tokio::test]
async fn a_seed_may_carry_subscriptions_and_a_rate_limit() {
    let (app, receiver) = with_receiver(&[]).await;
    let (status, body) = app
        .control(
            "/seed",
            &json!({"organizations": [{
                "name": "seeded-hooks", "projects": ["Navigator Demo"], "pats": ["seeded-pat"],
                "rate_limit": {"requests": 200, "window_secs": 300},
                "subscriptions": [{
                    "publisherId": "tfs", "eventType": "workitem.created", "consumerId": "webHooks",
                    "consumerActionId": "httpRequest", "publisherInputs": {"projectId": "Navigator Demo"},
                    "consumerInputs": {"url": receiver.url, "basicAuthUsername": "u", "basicAuthPassword": "p"}
                }]
            }]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.emulator.subscriptions("seeded-hooks").len(), 1);
    app.emulator
        .create_as_person(
            "seeded-hooks",
            "Navigator Demo",
            "Task",
            &json!({"System.Title": "Seeded"}),
            None,
        )
        .expect("created");
    assert_eq!(
        receiver.wait_for(1).await[0].body["eventType"],
        "workitem.created"
    );

    let (status, body) = app
        .control(
            "/seed",
            &json!({"organizations": [{"name": "bad-hooks", "subscriptions": [{"publisherId": "git"}]}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("subscription number 1")),
        "{body}"
    );
}
