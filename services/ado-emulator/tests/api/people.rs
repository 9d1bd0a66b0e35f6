//! Acting as a person in ADO through the control API: create, edit, comment, delete and
//! restore, each one revision with its delivery, and every work item listed for tests.

use serde_json::json;

use crate::helpers::{API, ORG, json};
use crate::hook_helpers::{subscribe, with_receiver};

#[tokio::test]
async fn a_persons_edit_through_the_control_api_is_one_revision_and_one_delivery() {
    let (app, receiver) = with_receiver(&[]).await;
    let id = app.create_task("Plan the sprint").await;
    subscribe(&app, &receiver, "workitem.updated");
    let (status, item) = app
        .control(
            &format!("/organizations/{ORG}/workitems/{id}/edit"),
            &json!({
                "as": {"display_name": "Dana Planner", "unique_name": "dana@example.com"},
                "fields": {"System.Title": "Plan the next sprint", "System.State": "Active",
                           "System.AssignedTo": "dana@example.com"}
            }),
        )
        .await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["rev"], 2);
    assert_eq!(
        item["fields"]["System.ChangedBy"],
        "Dana Planner <dana@example.com>"
    );
    assert_eq!(
        item["fields"]["System.AssignedTo"],
        "Dana Planner <dana@example.com>"
    );

    let received = receiver.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(receiver.received().len(), 1);
    let fields = &received[0].body["resource"]["fields"];
    assert_eq!(
        fields["System.Title"],
        json!({"oldValue": "Plan the sprint", "newValue": "Plan the next sprint"})
    );
    assert_eq!(
        fields["System.State"],
        json!({"oldValue": "New", "newValue": "Active"})
    );
    assert_eq!(
        fields["System.AssignedTo"],
        json!({"newValue": "Dana Planner <dana@example.com>"})
    );

    // navsync then sees the person's revision through the REST API.
    let (_, read) = json(
        app.ado(
            reqwest::Method::GET,
            &format!("/{ORG}/_apis/wit/workitems/{id}?{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(read["rev"], 2);
    assert_eq!(
        read["fields"]["System.ChangedBy"]["displayName"],
        "Dana Planner"
    );
}

#[tokio::test]
async fn a_person_creates_comments_deletes_and_restores_through_the_control_api() {
    let (app, receiver) = with_receiver(&[]).await;
    for event in [
        "workitem.created",
        "workitem.commented",
        "workitem.deleted",
        "workitem.restored",
    ] {
        subscribe(&app, &receiver, event);
    }
    let (status, created) = app
        .control(
            &format!("/organizations/{ORG}/projects/Alpha/workitems"),
            &json!({"type": "User Story", "fields": {"System.Title": "As a planner I see my items"}}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_u64().expect("an id");
    assert_eq!(
        created["fields"]["System.CreatedBy"],
        "Board User <board.user@example.com>"
    );
    let (status, _) = app
        .control(
            &format!("/organizations/{ORG}/workitems/{id}/comment"),
            &json!({"text": "Looks good"}),
        )
        .await;
    assert_eq!(status, 200);
    let deleted = app
        .post(&format!(
            "/_emulator/organizations/{ORG}/workitems/{id}/delete"
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(deleted.status().as_u16(), 200);

    let (_, all) = json(
        app.get(&format!("/_emulator/organizations/{ORG}/workitems"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(all["count"], 1);
    assert_eq!(
        all["value"][0]["isDeleted"], true,
        "recycled work items are listed"
    );

    let (status, restored) = app
        .control(
            &format!("/organizations/{ORG}/workitems/{id}/restore"),
            &json!({"as": {"display_name": "Ann", "unique_name": "ann@example.com"}}),
        )
        .await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["isDeleted"], false);

    let events: Vec<String> = receiver
        .wait_for(4)
        .await
        .iter()
        .map(|r| r.body["eventType"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        events,
        [
            "workitem.created",
            "workitem.commented",
            "workitem.deleted",
            "workitem.restored"
        ]
    );
}

#[tokio::test]
async fn a_persons_edit_follows_the_same_rules_as_the_rest_api() {
    let (app, _receiver) = with_receiver(&[]).await;
    let id = app.create_task("Rules").await;
    let (status, body) = app
        .control(
            &format!("/organizations/{ORG}/workitems/{id}/edit"),
            &json!({"fields": {"System.State": "Doing"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("TF401320")),
        "{body}"
    );
    let (status, _) = app
        .control(
            &format!("/organizations/{ORG}/workitems/99/edit"),
            &json!({"fields": {"System.Title": "x"}}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .control(
            &format!("/organizations/{ORG}/workitems/{id}/edit"),
            &json!({"field": {}}),
        )
        .await;
    assert_eq!(status, 400, "unknown keys are refused");
}
