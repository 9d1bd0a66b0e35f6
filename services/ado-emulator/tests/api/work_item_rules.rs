//! The rules ADO applies to work item writes: JSON Patch only (415), optimistic
//! concurrency (412), fields per type (TF51535), and the process's rule errors.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{API, ORG, json, spawn, wit_error};

const CREATE_TASK: &str = "/p2anav-dev/Alpha/_apis/wit/workitems/$Task?api-version=7.1";

async fn create_with(app: &crate::helpers::TestEmulator, path: &str, ops: &Value) -> (u16, Value) {
    json(
        app.patch_doc(Method::POST, path, ops)
            .send()
            .await
            .expect("answered"),
    )
    .await
}

#[tokio::test]
async fn a_write_that_is_not_json_patch_is_a_415() {
    let app = spawn().await;
    for content_type in ["application/json", "text/plain"] {
        let response = app
            .ado(Method::POST, CREATE_TASK)
            .header("Content-Type", content_type)
            .body(json!([{"op": "add", "path": "/fields/System.Title", "value": "x"}]).to_string())
            .send()
            .await
            .expect("answered");
        let (status, body) = json(response).await;
        assert_eq!(status, 415);
        let (type_key, message) = wit_error(&body);
        assert_eq!(type_key, "VssRequestContentTypeNotSupportedException");
        assert!(message.contains("application/json-patch+json"), "{message}");
    }
    let charset = app
        .ado(Method::POST, CREATE_TASK)
        .header("Content-Type", "application/json-patch+json; charset=utf-8")
        .body(json!([{"op": "add", "path": "/fields/System.Title", "value": "x"}]).to_string())
        .send()
        .await
        .expect("answered");
    assert_eq!(charset.status().as_u16(), 200);
}

#[tokio::test]
async fn a_stale_rev_is_a_412_and_nothing_of_the_patch_is_applied() {
    let app = spawn().await;
    let id = app.create_task("Original").await;
    app.emulator
        .edit_as_person(
            ORG,
            id as u32,
            &json!({"System.Title": "Edited on the board"}),
            None,
        )
        .expect("the person's edit");
    let ops = json!([
        {"op": "test", "path": "/rev", "value": 1},
        {"op": "add", "path": "/fields/System.State", "value": "Active"},
        {"op": "replace", "path": "/fields/System.Title", "value": "Overwritten"}
    ]);
    let (status, body) = json(
        app.patch_doc(
            Method::PATCH,
            &format!("/{ORG}/_apis/wit/workitems/{id}?{API}"),
            &ops,
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 412);
    let (type_key, message) = wit_error(&body);
    assert_eq!(type_key, "TestPatchOperationFailedException");
    assert!(message.starts_with("VS403351"), "{message}");
    let stored = app.emulator.work_item(ORG, id as u32).expect("stored");
    assert_eq!(stored.rev, 2);
    assert_eq!(stored.text("System.Title"), "Edited on the board");
    assert_eq!(stored.text("System.State"), "New");
}

#[tokio::test]
async fn a_field_the_type_lacks_is_a_400_tf51535() {
    let app = spawn().await;
    let due = "Microsoft.VSTS.Scheduling.DueDate";
    let target = "Microsoft.VSTS.Scheduling.TargetDate";
    for (kind, field, expected) in [
        ("Task", due, 400),
        ("Issue", due, 200),
        ("User%20Story", due, 400),
        ("Epic", target, 200),
        ("Feature", target, 200),
        ("Task", target, 400),
        ("Task", "Custom.Nonexistent", 400),
    ] {
        let ops = json!([
            {"op": "add", "path": "/fields/System.Title", "value": "x"},
            {"op": "add", "path": format!("/fields/{field}"), "value": "2026-06-30T00:00:00Z"}
        ]);
        let path = format!("/{ORG}/Alpha/_apis/wit/workitems/${kind}?{API}");
        let (status, body) = create_with(&app, &path, &ops).await;
        assert_eq!(status, expected, "{kind} {field}: {body}");
        if expected == 400 {
            let (type_key, message) = wit_error(&body);
            assert_eq!(type_key, "WorkItemTrackingFieldDefinitionNotFoundException");
            assert_eq!(message, format!("TF51535: Cannot find field {field}."));
        }
    }
}

#[tokio::test]
async fn a_missing_empty_or_too_long_title_is_a_rule_error() {
    let app = spawn().await;
    let long = "x".repeat(256);
    for (ops, code) in [
        (json!([]), "InvalidEmpty"),
        (
            json!([{"op": "add", "path": "/fields/System.Title", "value": "  "}]),
            "InvalidEmpty",
        ),
        (
            json!([{"op": "add", "path": "/fields/System.Title", "value": long}]),
            "InvalidTooLong",
        ),
    ] {
        let (status, body) = create_with(&app, CREATE_TASK, &ops).await;
        assert_eq!(status, 400, "{body}");
        let (type_key, message) = wit_error(&body);
        assert_eq!(type_key, "RuleValidationException");
        assert!(
            message.starts_with("TF401320: Rule Error for field Title."),
            "{message}"
        );
        assert!(message.contains(code), "{message}");
        assert_eq!(
            body["customProperties"]["RuleValidationErrors"][0]["fieldReferenceName"],
            "System.Title"
        );
    }
    let ok = json!([{"op": "add", "path": "/fields/System.Title", "value": "x".repeat(255)}]);
    assert_eq!(create_with(&app, CREATE_TASK, &ok).await.0, 200);
    // Clearing the title of an existing work item is refused too.
    let clear = json!([{"op": "remove", "path": "/fields/System.Title"}]);
    let (status, _) = json(
        app.patch_doc(
            Method::PATCH,
            &format!("/{ORG}/_apis/wit/workitems/1?{API}"),
            &clear,
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_unknown_state_is_a_rule_error_and_any_known_state_may_follow_any_other() {
    let app = spawn().await;
    let id = app.create_task("Moving").await;
    let path = format!("/{ORG}/_apis/wit/workitems/{id}?{API}");
    let set = |state: &str| json!([{"op": "add", "path": "/fields/System.State", "value": state}]);
    let (status, body) = json(
        app.patch_doc(Method::PATCH, &path, &set("Doing"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 400);
    let (_, message) = wit_error(&body);
    assert!(
        message.starts_with("TF401320: Rule Error for field State."),
        "{message}"
    );
    assert!(message.contains("InvalidListValue"), "{message}");
    for (state, reason) in [
        ("Closed", "Completed"),
        ("new", "Moved to the backlog"),
        ("Removed", "Removed from the backlog"),
        ("Active", "Work started"),
    ] {
        let (status, body) = json(
            app.patch_doc(Method::PATCH, &path, &set(state))
                .send()
                .await
                .expect("answered"),
        )
        .await;
        assert_eq!(status, 200, "{state}: {body}");
        assert_eq!(
            body["fields"]["System.State"]
                .as_str()
                .map(str::to_lowercase),
            Some(state.to_lowercase())
        );
        assert_eq!(body["fields"]["System.Reason"], reason);
    }
}

#[tokio::test]
async fn a_tag_with_a_comma_or_over_400_characters_is_refused_and_tags_are_normalized() {
    let app = spawn().await;
    for tags in ["a,b".to_owned(), "x".repeat(401)] {
        let ops = json!([
            {"op": "add", "path": "/fields/System.Title", "value": "t"},
            {"op": "add", "path": "/fields/System.Tags", "value": tags}
        ]);
        let (status, body) = create_with(&app, CREATE_TASK, &ops).await;
        assert_eq!(status, 400);
        assert_eq!(wit_error(&body).0, "InvalidTagNameException");
    }
    let ops = json!([
        {"op": "add", "path": "/fields/System.Title", "value": "t"},
        {"op": "add", "path": "/fields/System.Tags", "value": "b;a ;  B"}
    ]);
    let (_, body) = create_with(&app, CREATE_TASK, &ops).await;
    assert_eq!(body["fields"]["System.Tags"], "b; a");
}

#[tokio::test]
async fn read_only_fields_and_paths_outside_the_project_are_refused() {
    let app = spawn().await;
    for (field, value, type_key) in [
        ("System.Id", json!(7), "RuleValidationException"),
        (
            "System.CreatedDate",
            json!("2020-01-01T00:00:00Z"),
            "RuleValidationException",
        ),
        (
            "System.AreaPath",
            json!("Beta"),
            "WorkItemFieldInvalidTreeNameException",
        ),
    ] {
        let ops = json!([
            {"op": "add", "path": "/fields/System.Title", "value": "t"},
            {"op": "add", "path": format!("/fields/{field}"), "value": value}
        ]);
        let (status, body) = create_with(&app, CREATE_TASK, &ops).await;
        assert_eq!(status, 400, "{field}: {body}");
        assert_eq!(wit_error(&body).0, type_key, "{field}");
    }
    // bypassRules lets a migration set the creation date.
    let ops = json!([
        {"op": "add", "path": "/fields/System.Title", "value": "t"},
        {"op": "add", "path": "/fields/System.CreatedDate", "value": "2020-01-01T00:00:00Z"},
        {"op": "add", "path": "/fields/System.AreaPath", "value": "alpha\\Team A"}
    ]);
    let (status, body) = create_with(&app, &format!("{CREATE_TASK}&bypassRules=true"), &ops).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["fields"]["System.CreatedDate"],
        "2020-01-01T00:00:00.000Z"
    );
    assert_eq!(body["fields"]["System.AreaPath"], "Alpha\\Team A");
}

#[tokio::test]
async fn a_body_that_is_not_a_patch_array_is_a_400() {
    let app = spawn().await;
    let (status, body) = create_with(&app, CREATE_TASK, &json!({"System.Title": "x"})).await;
    assert_eq!(status, 400);
    assert!(wit_error(&body).1.contains("valid patch document"));
}

#[tokio::test]
async fn an_unknown_work_item_type_is_a_404() {
    let app = spawn().await;
    let ops = json!([{"op": "add", "path": "/fields/System.Title", "value": "x"}]);
    let (status, body) = create_with(
        &app,
        &format!("/{ORG}/Alpha/_apis/wit/workitems/$Product%20Backlog%20Item?{API}"),
        &ops,
    )
    .await;
    assert_eq!(status, 404, "an Agile organization has no PBI: {body}");
    assert_eq!(wit_error(&body).0, "WorkItemTypeNotFoundException");
}

#[tokio::test]
async fn assigned_to_must_name_a_user_of_the_organization() {
    let app = spawn().await;
    let stranger = json!([
        {"op": "add", "path": "/fields/System.Title", "value": "x"},
        {"op": "add", "path": "/fields/System.AssignedTo", "value": "stranger@elsewhere.example"}
    ]);
    let (status, body) = create_with(&app, CREATE_TASK, &stranger).await;
    assert_eq!(status, 400, "{body}");
    let (type_key, message) = wit_error(&body);
    assert_eq!(type_key, "RuleValidationException");
    assert!(
        message.starts_with("TF401320: Rule Error for field Assigned To."),
        "{message}"
    );
    assert_eq!(
        body["customProperties"]["RuleValidationErrors"][0]["fieldReferenceName"],
        "System.AssignedTo"
    );
    // A seeded member, in any case, is accepted and shown with the name ADO knows.
    let member = json!([
        {"op": "add", "path": "/fields/System.Title", "value": "x"},
        {"op": "add", "path": "/fields/System.AssignedTo", "value": "BOARD.USER@example.com"}
    ]);
    let (status, body) = create_with(&app, CREATE_TASK, &member).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["fields"]["System.AssignedTo"]["displayName"],
        "Board User"
    );
}
