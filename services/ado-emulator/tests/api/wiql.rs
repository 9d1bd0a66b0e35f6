//! WIQL: the clauses integrations use, answered with ids only; what the emulator does not
//! understand is refused as ADO refuses a bad query.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{API, ORG, TestEmulator, json, spawn, wit_error};

async fn query(app: &TestEmulator, scope: &str, wiql: &str) -> (u16, Value) {
    json(
        app.ado(Method::POST, &format!("/{ORG}{scope}/_apis/wit/wiql?{API}"))
            .json(&json!({"query": wiql}))
            .send()
            .await
            .expect("answered"),
    )
    .await
}

fn ids(body: &Value) -> Vec<u64> {
    body["workItems"]
        .as_array()
        .expect("workItems")
        .iter()
        .filter_map(|w| w["id"].as_u64())
        .collect()
}

#[tokio::test]
async fn tags_contains_and_project_select_the_right_ids_only() {
    let app = spawn().await;
    app.create(
        "Alpha",
        "Task",
        &json!({"System.Title": "one", "System.Tags": "P2A Navigator; other"}),
    )
    .await;
    app.create(
        "Alpha",
        "Task",
        &json!({"System.Title": "two", "System.Tags": "P2A Navigator Extra"}),
    )
    .await;
    app.create(
        "Beta",
        "Task",
        &json!({"System.Title": "three", "System.Tags": "P2A Navigator"}),
    )
    .await;
    app.create(
        "Alpha",
        "Bug",
        &json!({"System.Title": "four", "System.Tags": "p2a navigator"}),
    )
    .await;

    let (status, body) = query(
        &app,
        "/Alpha",
        "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.Tags] CONTAINS 'P2A Navigator'",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), [1, 4]);
    assert_eq!(body["queryType"], "flat");
    assert_eq!(body["queryResultType"], "workItem");
    assert_eq!(body["columns"][0]["referenceName"], "System.Id");
    let url = body["workItems"][0]["url"].as_str().expect("a url");
    assert!(url.ends_with("/_apis/wit/workItems/1"), "{url}");
    assert!(
        body["workItems"][0]
            .as_object()
            .is_some_and(|o| o.len() == 2),
        "ids and urls only"
    );

    let (_, body) = query(
        &app,
        "/Alpha",
        "SELECT [System.Id] FROM WorkItems WHERE [System.Tags] CONTAINS 'P2A Navigator' AND [System.WorkItemType] = 'Task'",
    )
    .await;
    assert_eq!(
        ids(&body),
        [1, 3],
        "without @project the query spans projects"
    );
}

#[tokio::test]
async fn equality_order_and_top_work_and_deleted_items_are_left_out() {
    let app = spawn().await;
    for title in ["a", "b", "c"] {
        app.create_task(title).await;
    }
    app.emulator
        .edit_as_person(ORG, 2, &json!({"System.State": "Active"}), None)
        .expect("edited");
    app.emulator
        .delete_as_person(ORG, 3, None)
        .expect("deleted");
    let (_, body) = query(
        &app,
        "/Alpha",
        "SELECT [System.Id], [System.Title] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.State] = 'new' ORDER BY [System.Id] DESC",
    )
    .await;
    assert_eq!(ids(&body), [1]);
    let (_, body) = query(
        &app,
        "",
        "SELECT [System.Id] FROM WorkItems ORDER BY [System.Id] DESC",
    )
    .await;
    assert_eq!(ids(&body), [2, 1]);
    assert_eq!(body["sortColumns"][0]["descending"], true);
    let (_, body) = json(
        app.ado(
            Method::POST,
            &format!("/{ORG}/Alpha/_apis/wit/wiql?$top=1&{API}"),
        )
        .json(&json!({"query": "SELECT [System.Id] FROM WorkItems"}))
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(ids(&body), [1]);
}

#[tokio::test]
async fn an_unknown_field_is_tf51005_and_unsupported_wiql_is_a_400() {
    let app = spawn().await;
    let (status, body) = query(
        &app,
        "/Alpha",
        "SELECT [System.Id] FROM WorkItems WHERE [Custom.Nope] = 'x'",
    )
    .await;
    assert_eq!(status, 400);
    let (type_key, message) = wit_error(&body);
    assert_eq!(type_key, "VssPropertyValidationException");
    assert_eq!(
        message,
        "TF51005: The query references a field that does not exist. The error is caused by «[Custom.Nope]»."
    );
    for unsupported in [
        "SELECT [System.Id] FROM WorkItems WHERE [System.State] = 'New' OR [System.State] = 'Active'",
        "SELECT [System.Id] FROM WorkItemLinks WHERE [Source].[System.Id] = 1",
        "SELECT [System.Id] FROM WorkItems WHERE [System.ChangedDate] > @today - 1",
    ] {
        let (status, body) = query(&app, "/Alpha", unsupported).await;
        assert_eq!(status, 400, "{unsupported}");
        assert!(wit_error(&body).1.starts_with("TF51006"), "{body}");
    }
    let (status, body) = query(&app, "/Alpha", "SELECT TOP 5 [System.Id] FROM WorkItems").await;
    assert_eq!(status, 400);
    assert!(wit_error(&body).1.starts_with("TF51006"));
}
