//! SPEC §1's story across every service, each binary its own process, one database, one
//! vhost, the emulator as ADO; each step asserted on both sides.
//!
//! The binaries come from the workspace's target directory: `cargo nextest run
//! --workspace` (what `make test` runs) builds them for the services' own tests; when one
//! is missing this test builds it with cargo first.

mod common;

use std::time::Duration;

use base64::Engine;
use common::{ORG, PAT, eventually, stack};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_story_from_navigator_to_ado_and_back() {
    let s = stack(None, &[]).await;
    let post = reqwest::Method::POST;

    // An admin adds the integration.
    let (status, integration) = s
        .send(
            post.clone(),
            format!("{}/v1/integrations", s.integrations.url),
            json!({"organization": ORG, "pat": PAT}),
        )
        .await;
    assert_eq!(status, 201, "{integration}");
    let integration_id = integration["id"].as_str().expect("id").to_owned();
    let webhook_url = format!("{}/hooks/ado/{integration_id}", s.ingress.url);
    let (_, secret) = s
        .send(
            post.clone(),
            format!(
                "{}/v1/integrations/{integration_id}/reveal",
                s.integrations.url
            ),
            json!({"field": "webhook_secret"}),
        )
        .await;
    let secret = secret["value"].as_str().expect("secret").to_owned();

    // An ADO admin creates the service hooks with the Webhook URL and secret.
    for event in [
        "workitem.updated",
        "workitem.deleted",
        "workitem.restored",
        "workitem.created",
    ] {
        let res = s
            .http
            .post(format!(
                "{}/_emulator/organizations/{ORG}/subscriptions",
                s.emulator.url
            ))
            .json(
                &json!({"publisherId": "tfs", "eventType": event, "consumerId": "webHooks",
                "consumerActionId": "httpRequest", "publisherInputs": {"projectId": "Alpha"},
                "consumerInputs": {"url": webhook_url, "basicAuthUsername": "navsync",
                    "basicAuthPassword": secret, "resourceDetailsToSend": "all"}}),
            )
            .send()
            .await
            .expect("sent");
        assert!(res.status().is_success(), "subscription: {}", res.status());
    }

    // An action item created in Navigator becomes one work item.
    let (status, item) = s
        .send(
            post.clone(),
            format!("{}/v1/action-items", s.action_items.url),
            json!({"title": "Plan the offsite", "status": "in_progress"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = item["id"].as_str().expect("id").to_owned();
    assert!(
        eventually(20, || async {
            s.item(&id).await.1["ado"]["sync_state"] == "synced"
        })
        .await,
        "synced"
    );
    let wi = s.item(&id).await.1["ado"]["work_item_id"]
        .as_i64()
        .expect("work item id");
    let work_item = s.work_item(wi).await;
    assert_eq!(work_item["fields"]["System.Title"], "Plan the offsite");
    assert_eq!(work_item["fields"]["System.State"], "Active");

    // Edited in Navigator: the work item follows.
    let (status, _) = s
        .send(
            reqwest::Method::PATCH,
            format!("{}/v1/action-items/{id}", s.action_items.url),
            json!({"title": "Plan the offsite (venue booked)"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        eventually(20, || async {
            s.work_item(wi).await["fields"]["System.Title"] == "Plan the offsite (venue booked)"
        })
        .await,
        "the work item followed"
    );

    // Edited in ADO by a person: the action item follows, and nothing is sent back.
    s.person(wi, "edit", json!({"fields": {"System.State": "Closed"}}))
        .await;
    assert!(
        eventually(20, || async { s.item(&id).await.1["status"] == "done" }).await,
        "the action item followed"
    );
    let rev_after_person = s.work_item(wi).await["rev"].clone();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        s.work_item(wi).await["rev"],
        rev_after_person,
        "no write went back to ADO"
    );

    // The same notification delivered twice is applied once.
    let delivery = s
        .deliveries()
        .await
        .into_iter()
        .rev()
        .find(|d| d["event_type"] == "workitem.updated")
        .expect("a delivery");
    let version_before = s.item(&id).await.1["version"].clone();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("navsync:{secret}"));
    let replay = s
        .http
        .post(&webhook_url)
        .header("Authorization", format!("Basic {basic}"))
        .json(&delivery["payload"])
        .send()
        .await
        .expect("sent");
    assert_eq!(replay.status(), 200);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        s.item(&id).await.1["version"],
        version_before,
        "applied once"
    );

    // A wrong secret: 401, and nothing changes.
    let forged = base64::engine::general_purpose::STANDARD.encode("navsync:not-the-secret");
    let res = s
        .http
        .post(&webhook_url)
        .header("Authorization", format!("Basic {forged}"))
        .json(&delivery["payload"])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 401);

    // A work item created in ADO: nothing appears in Navigator.
    let count = |v: Value| v["items"].as_array().map_or(0, Vec::len);
    let before = count(
        s.get(format!("{}/v1/action-items", s.action_items.url))
            .await
            .1,
    );
    let res = s
        .http
        .post(format!(
            "{}/_emulator/organizations/{ORG}/projects/Alpha/workitems",
            s.emulator.url
        ))
        .json(&json!({"type": "Task", "fields": {"System.Title": "Made in ADO"}}))
        .send()
        .await
        .expect("sent");
    assert!(res.status().is_success());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        count(
            s.get(format!("{}/v1/action-items", s.action_items.url))
                .await
                .1
        ),
        before
    );

    // The broker is down while ADO delivers: 503, and ADO's retry lands it afterwards.
    s.vhost.deny().await;
    s.vhost.close_connections().await;
    s.person(
        wi,
        "edit",
        json!({"fields": {"System.Title": "Edited while the broker was down"}}),
    )
    .await;
    assert!(
        eventually(20, || async {
            s.deliveries().await.iter().any(|d| d["status"] == 503)
        })
        .await,
        "the ingress answered 503: {:?}",
        s.deliveries().await.last()
    );
    s.vhost.allow().await;
    assert!(
        eventually(60, || async {
            s.item(&id).await.1["title"] == "Edited while the broker was down"
        })
        .await,
        "ADO's retry landed"
    );

    // Deleted in ADO: the action item is deleted.
    s.person(wi, "delete", json!({})).await;
    assert!(
        eventually(30, || async { s.item(&id).await.0 == 404 }).await,
        "deleted in Navigator"
    );
}
