//! What ADO posts to a subscriber, compared key by key with the samples in
//! `tests/fixtures/ado-samples/`: the update of `workitem.updated` with its old and new
//! values and the full revision, the work item of the other events, minimal and no
//! resource details, and Microsoft's documentation quirk.

use navsync_ado_emulator::{Person, ResourceDetails, WebhookSubscription};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{API, NAVSYNC_USER, ORG, json};
use crate::hook_helpers::{
    PASSWORD, USERNAME, assert_same_shape, deliveries, sample, subscribe, subscribe_with,
    with_receiver,
};

fn board_user() -> Person {
    Person::new("Board User", "board.user@example.com")
}

/// The work item of `samples/workitem.updated.json` before the edit, created by navsync.
async fn sample_task(app: &crate::helpers::TestEmulator) -> u32 {
    let body = app
        .create(
            "Alpha",
            "Task",
            &json!({
                "System.Title": "Agree a definition of done",
                "System.Description": "<div>Draft it with the team</div>",
                "System.Tags": "P2A Navigator",
            }),
        )
        .await;
    u32::try_from(body["id"].as_u64().expect("an id")).expect("small")
}

#[tokio::test]
async fn a_persons_edit_is_one_delivery_with_old_and_new_values_and_the_full_revision() {
    let (app, receiver) = with_receiver(&[]).await;
    let id = sample_task(&app).await;
    let subscription = subscribe(&app, &receiver, "workitem.updated");
    app.emulator
        .edit_as_person(
            ORG,
            id,
            &json!({"System.State": "Active"}),
            Some(&board_user()),
        )
        .expect("the edit");

    let received = receiver.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(receiver.received().len(), 1, "exactly one delivery");
    let payload = &received[0].body;
    assert_same_shape(&sample("workitem.updated.json"), payload, "$", &[]);

    assert_eq!(payload["subscriptionId"], subscription.id.to_string());
    assert_eq!(payload["notificationId"], 1);
    assert_eq!(payload["eventType"], "workitem.updated");
    assert_eq!(payload["publisherId"], "tfs");
    assert_eq!(payload["resourceVersion"], "1.0");
    assert_eq!(
        payload["message"]["text"],
        format!("Task #{id} (Agree a definition of done) updated by Board User")
    );
    let resource = &payload["resource"];
    assert_eq!(resource["id"], 2, "the update number");
    assert_eq!(resource["workItemId"], id);
    assert_eq!(resource["rev"], 2);
    assert_eq!(
        resource["revisedBy"]["uniqueName"],
        "board.user@example.com"
    );
    assert_eq!(
        resource["revisedBy"]["name"],
        "Board User <board.user@example.com>"
    );
    assert_eq!(resource["revisedDate"], "9999-01-01T00:00:00Z");
    let fields = &resource["fields"];
    assert_eq!(
        fields["System.State"],
        json!({"oldValue": "New", "newValue": "Active"})
    );
    assert_eq!(
        fields["System.Reason"],
        json!({"oldValue": "New", "newValue": "Work started"})
    );
    assert_eq!(fields["System.Rev"], json!({"oldValue": 1, "newValue": 2}));
    assert_eq!(
        fields["System.ChangedBy"],
        json!({"oldValue": format!("Navigator Sync <{NAVSYNC_USER}>"), "newValue": "Board User <board.user@example.com>"})
    );
    assert_eq!(
        fields["System.RevisedDate"]["newValue"],
        "9999-01-01T00:00:00Z"
    );
    assert!(
        fields["System.Watermark"]["newValue"].as_u64()
            > fields["System.Watermark"]["oldValue"].as_u64()
    );
    let revision = &resource["revision"];
    assert_eq!(revision["id"], id);
    assert_eq!(revision["rev"], 2);
    assert_eq!(revision["fields"]["System.State"], "Active");
    assert_eq!(
        revision["fields"]["System.CreatedBy"],
        format!("Navigator Sync <{NAVSYNC_USER}>")
    );
    assert_eq!(
        revision["fields"]["System.Title"],
        "Agree a definition of done"
    );
    let parent = revision["_links"]["parent"]["href"]
        .as_str()
        .expect("a parent link");
    assert!(
        parent.ends_with(&format!("/_apis/wit/workItems/{id}")),
        "{parent}"
    );
    let project = &payload["resourceContainers"]["project"];
    assert_eq!(project["baseUrl"], format!("{}/{ORG}/", app.base));
}

#[tokio::test]
async fn a_created_work_item_is_delivered_as_the_work_item_itself() {
    let (app, receiver) = with_receiver(&[]).await;
    subscribe(&app, &receiver, "workitem.created");
    app.emulator
        .create_as_person(
            ORG,
            "Alpha",
            "Bug",
            &json!({"System.Title": "Some great new idea!"}),
            Some(&board_user()),
        )
        .expect("created");
    let payload = receiver.wait_for(1).await[0].body.clone();
    // The envelope of our samples; the resource of Microsoft's created sample.
    let envelope = sample("workitem.updated.json");
    assert_same_shape(
        &envelope,
        &payload,
        "$",
        &["$.resource", "$.message", "$.detailedMessage"],
    );
    assert_same_shape(
        &sample("docs-workitem.created.json")["resource"],
        &payload["resource"],
        "$",
        &["$.fields"],
    );
    let resource = &payload["resource"];
    assert_eq!(resource["id"], 1);
    assert_eq!(resource["rev"], 1);
    assert_eq!(resource["fields"]["System.State"], "New");
    assert_eq!(resource["fields"]["System.Reason"], "New defect reported");
    assert_eq!(
        resource["fields"]["System.CreatedBy"],
        "Board User <board.user@example.com>"
    );
    assert_eq!(
        payload["message"]["text"],
        "Bug #1 (Some great new idea!) created by Board User"
    );
}

#[tokio::test]
async fn deleted_and_restored_work_items_are_delivered_in_their_sample_shapes() {
    let (app, receiver) = with_receiver(&[]).await;
    let id = sample_task(&app).await;
    subscribe(&app, &receiver, "workitem.deleted");
    subscribe(&app, &receiver, "workitem.restored");
    app.emulator
        .delete_as_person(ORG, id, Some(&board_user()))
        .expect("deleted");
    let deleted = receiver.wait_for(1).await[0].body.clone();
    assert_same_shape(&sample("workitem.deleted.json"), &deleted, "$", &[]);
    let url = deleted["resource"]["url"].as_str().expect("a url");
    assert_eq!(url, format!("{}/{ORG}/_apis/wit/recyclebin/{id}", app.base));

    app.emulator
        .restore_as_person(ORG, id, Some(&board_user()))
        .expect("restored");
    let restored = receiver.wait_for(2).await[1].body.clone();
    assert_eq!(restored["eventType"], "workitem.restored");
    assert_same_shape(
        &sample("docs-workitem.restored.json")["resource"],
        &restored["resource"],
        "$",
        &["$.fields"],
    );
    assert_eq!(
        restored["resource"]["fields"]["System.Title"],
        "Agree a definition of done"
    );
}

#[tokio::test]
async fn a_comment_is_delivered_as_workitem_commented_with_the_history() {
    let (app, receiver) = with_receiver(&[]).await;
    let id = sample_task(&app).await;
    subscribe(&app, &receiver, "workitem.commented");
    app.emulator
        .comment_as_person(ORG, id, "This is a great new idea", Some(&board_user()))
        .expect("commented");
    let payload = receiver.wait_for(1).await[0].body.clone();
    assert_eq!(payload["eventType"], "workitem.commented");
    assert_same_shape(
        &sample("docs-workitem.commented.json")["resource"],
        &payload["resource"],
        "$",
        &["$.fields"],
    );
    assert_eq!(
        payload["resource"]["fields"]["System.History"],
        "This is a great new idea"
    );
    assert_eq!(payload["resource"]["fields"]["System.CommentCount"], 1);
}

#[tokio::test]
async fn minimal_details_carry_ids_and_the_url_and_none_carries_no_resource() {
    let (app, receiver) = with_receiver(&[]).await;
    let id = sample_task(&app).await;
    subscribe_with(
        &app,
        WebhookSubscription::new("workitem.updated", &receiver.url)
            .resource_details(ResourceDetails::Minimal),
    );
    subscribe_with(
        &app,
        WebhookSubscription::new("workitem.updated", &receiver.url)
            .resource_details(ResourceDetails::None),
    );
    app.emulator
        .edit_as_person(ORG, id, &json!({"System.State": "Active"}), None)
        .expect("edited");
    let received = receiver.wait_for(2).await;
    let (minimal, none) = if received[0].body["resource"].is_null() {
        (&received[1].body, &received[0].body)
    } else {
        (&received[0].body, &received[1].body)
    };
    assert_same_shape(&sample("workitem.updated.minimal.json"), minimal, "$", &[]);
    assert_eq!(minimal["resource"]["workItemId"], id);
    assert!(none["resource"].is_null());
    assert_eq!(none["eventType"], "workitem.updated");
}

#[tokio::test]
async fn the_docs_sample_quirk_sends_work_item_id_0_and_no_revised_by() {
    let (app, receiver) = with_receiver(&[]).await;
    let id = sample_task(&app).await;
    app.post(&format!("/_emulator/organizations/{ORG}/subscriptions"))
        .json(&json!({
            "publisherId": "tfs", "eventType": "workitem.updated", "consumerId": "webHooks",
            "consumerActionId": "httpRequest",
            "consumerInputs": {"url": receiver.url, "emulatorQuirk": "docs-sample"}
        }))
        .send()
        .await
        .expect("answered");
    app.emulator
        .edit_as_person(
            ORG,
            id,
            &json!({"System.State": "Active"}),
            Some(&board_user()),
        )
        .expect("edited");
    let payload = receiver.wait_for(1).await[0].body.clone();
    assert_same_shape(
        &sample("workitem.updated.docs-shape.json"),
        &payload,
        "$",
        &[],
    );
    assert_eq!(payload["resource"]["workItemId"], 0);
    assert!(payload["resource"]["revisedBy"].is_null());
    assert_eq!(
        payload["resource"]["revision"]["id"], id,
        "the id is still in the revision"
    );
}

#[tokio::test]
async fn deliveries_carry_basic_auth_the_headers_asked_for_and_json() {
    let (app, receiver) = with_receiver(&[]).await;
    subscribe_with(
        &app,
        WebhookSubscription::new("workitem.created", &receiver.url)
            .basic_auth(USERNAME, PASSWORD)
            .header("X-Navsync-Test", "from-the-subscription"),
    );
    app.create_task("Authenticated").await;
    let received = receiver.wait_for(1).await;
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{PASSWORD}"))
    );
    assert_eq!(
        received[0].authorization.as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(
        received[0].custom_header.as_deref(),
        Some("from-the-subscription")
    );
    assert!(
        received[0]
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("application/json"))
    );
}

#[tokio::test]
async fn our_own_rest_write_fires_workitem_updated_even_with_suppress_notifications() {
    let (app, receiver) = with_receiver(&[]).await;
    let id = app.create_task("Echo").await;
    subscribe(&app, &receiver, "workitem.updated");
    let ops = json!([{"op": "add", "path": "/fields/System.State", "value": "Active"}]);
    let (status, _) = json(
        app.patch_doc(
            Method::PATCH,
            &format!("/{ORG}/_apis/wit/workitems/{id}?suppressNotifications=true&{API}"),
            &ops,
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    let payload = receiver.wait_for(1).await[0].body.clone();
    assert_eq!(payload["resource"]["revisedBy"]["uniqueName"], NAVSYNC_USER);
    assert_eq!(payload["resource"]["rev"], 2);
}

#[tokio::test]
async fn notification_ids_increase_per_subscription_and_project_filters_apply() {
    let (app, receiver) = with_receiver(&[]).await;
    let all = subscribe(&app, &receiver, "workitem.created");
    let beta_only = subscribe_with(
        &app,
        WebhookSubscription::new("workitem.created", &receiver.url).project("Beta"),
    );
    app.create_task("one").await;
    app.create_task("two").await;
    app.create("Beta", "Task", &json!({"System.Title": "three"}))
        .await;
    let received = receiver.wait_for(4).await;
    let ids_of = |subscription: &navsync_ado_emulator::SubscriptionInfo| -> Vec<(u64, u64)> {
        received
            .iter()
            .map(|r| &r.body)
            .filter(|b| b["subscriptionId"] == subscription.id.to_string())
            .map(|b| {
                (
                    b["notificationId"].as_u64().unwrap_or(0),
                    b["resource"]["id"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    assert_eq!(ids_of(&all), [(1, 1), (2, 2), (3, 3)]);
    assert_eq!(ids_of(&beta_only), [(1, 3)]);
    let recorded = deliveries(&app, 4).await;
    assert!(recorded.iter().all(|d| d.status == Some(200)));
    let _: Vec<Value> = recorded.into_iter().map(|d| d.payload).collect();
}
