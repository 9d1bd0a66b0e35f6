//! Work items through the REST API: create, get, list, batch, update, delete, restore,
//! validateOnly — in the shapes dev.azure.com answers.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{API, FULL_PAT, NAVSYNC_USER, ORG, READ_ONLY_PAT, json, spawn, wit_error};

#[tokio::test]
async fn creating_a_task_answers_200_with_the_work_item_and_its_system_fields() {
    let app = spawn().await;
    let body = app
        .create(
            "Alpha",
            "Task",
            &json!({"System.Title": "Agree a definition of done", "System.Tags": "P2A Navigator; sync"}),
        )
        .await;
    assert_eq!(body["id"], 1);
    assert_eq!(body["rev"], 1);
    let fields = &body["fields"];
    assert_eq!(fields["System.Title"], "Agree a definition of done");
    assert_eq!(fields["System.WorkItemType"], "Task");
    assert_eq!(fields["System.TeamProject"], "Alpha");
    assert_eq!(fields["System.AreaPath"], "Alpha");
    assert_eq!(fields["System.IterationPath"], "Alpha");
    assert_eq!(fields["System.State"], "New");
    assert_eq!(fields["System.Reason"], "New");
    assert_eq!(fields["System.CommentCount"], 0);
    assert_eq!(fields["System.Tags"], "P2A Navigator; sync");
    assert!(fields["System.CreatedDate"].is_string());
    assert_eq!(fields["System.CreatedDate"], fields["System.ChangedDate"]);
    // Bookkeeping stays out of a default answer, as on dev.azure.com.
    assert!(fields.get("System.Watermark").is_none(), "{fields}");
    let project = app
        .get_as(&format!("/{ORG}/_apis/projects/Alpha?{API}"), FULL_PAT)
        .send()
        .await
        .expect("answered");
    let project_id = json(project).await.1["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(
        body["url"],
        format!("{}/{ORG}/{project_id}/_apis/wit/workItems/1", app.base)
    );
    assert!(body["_links"]["self"]["href"].is_string());
}

#[tokio::test]
async fn identities_in_rest_answers_are_objects() {
    let app = spawn().await;
    let body = app
        .create(
            "Alpha",
            "Task",
            &json!({"System.Title": "x", "System.AssignedTo": "Board User <board.user@example.com>"}),
        )
        .await;
    let created_by = &body["fields"]["System.CreatedBy"];
    assert_eq!(created_by["displayName"], "Navigator Sync");
    assert_eq!(created_by["uniqueName"], NAVSYNC_USER);
    assert!(created_by["id"].is_string());
    assert!(
        created_by["descriptor"]
            .as_str()
            .is_some_and(|d| d.starts_with("aad."))
    );
    assert!(created_by["url"].is_string());
    assert!(created_by["_links"]["avatar"]["href"].is_string());
    assert_eq!(
        body["fields"]["System.AssignedTo"]["uniqueName"],
        "board.user@example.com"
    );
    assert_eq!(
        body["fields"]["System.AssignedTo"]["displayName"],
        "Board User"
    );
    // Stored as ADO's payloads carry them.
    let stored = app.emulator.work_item(ORG, 1).expect("stored");
    assert_eq!(
        stored.text("System.CreatedBy"),
        format!("Navigator Sync <{NAVSYNC_USER}>")
    );
}

#[tokio::test]
async fn the_type_may_be_percent_encoded_and_contain_spaces() {
    let app = spawn().await;
    let ops = json!([{"op": "add", "path": "/fields/System.Title", "value": "A story"}]);
    for path in [
        format!("/{ORG}/Alpha/_apis/wit/workitems/%24User%20Story?{API}"),
        format!("/{ORG}/Alpha/_apis/wit/workItems/$user%20story?{API}"),
    ] {
        let (status, body) = json(
            app.patch_doc(Method::POST, &path, &ops)
                .send()
                .await
                .expect("answered"),
        )
        .await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["fields"]["System.WorkItemType"], "User Story");
    }
}

#[tokio::test]
async fn getting_a_work_item_shows_relations_only_when_expanded() {
    let app = spawn().await;
    let ops = json!([
        {"op": "add", "path": "/fields/System.Title", "value": "Linked"},
        {"op": "add", "path": "/relations/-", "value": {"rel": "Hyperlink", "url": "https://navigator.example/items/7", "attributes": {"comment": "P2A Navigator"}}}
    ]);
    let (status, created) = json(
        app.patch_doc(
            Method::POST,
            &format!("/{ORG}/Alpha/_apis/wit/workitems/$Task?{API}"),
            &ops,
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["relations"][0]["rel"], "Hyperlink");

    let (_, plain) = json(
        app.ado(Method::GET, &format!("/{ORG}/_apis/wit/workitems/1?{API}"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert!(plain.get("relations").is_none(), "{plain}");
    for expand in ["relations", "All"] {
        let (_, expanded) = json(
            app.ado(
                Method::GET,
                &format!("/{ORG}/Alpha/_apis/wit/workitems/1?$expand={expand}&{API}"),
            )
            .send()
            .await
            .expect("answered"),
        )
        .await;
        let relation = &expanded["relations"][0];
        assert_eq!(relation["url"], "https://navigator.example/items/7");
        assert_eq!(relation["attributes"]["comment"], "P2A Navigator");
    }
}

#[tokio::test]
async fn expand_all_or_a_fields_list_shows_bookkeeping_and_both_together_are_refused() {
    let app = spawn().await;
    app.create_task("x").await;
    let (_, all) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/wit/workitems/1?$expand=all&{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(all["fields"]["System.Id"], 1);
    assert_eq!(all["fields"]["System.Rev"], 1);
    let (_, some) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/wit/workitems/1?fields=System.Id,System.Title&{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    let keys: Vec<&String> = some["fields"].as_object().expect("fields").keys().collect();
    assert_eq!(keys, ["System.Id", "System.Title"]);
    let (status, body) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/wit/workitems/1?fields=System.Id&$expand=all&{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(wit_error(&body).0, "ConflictingParametersException");
}

#[tokio::test]
async fn listing_by_ids_keeps_the_order_asked_and_refuses_a_missing_one_unless_omitted() {
    let app = spawn().await;
    app.create_task("one").await;
    app.create_task("two").await;
    let (status, body) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/wit/workitems?ids=2,1&{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 2);
    assert_eq!(body["value"][0]["fields"]["System.Title"], "two");
    assert_eq!(body["value"][1]["fields"]["System.Title"], "one");
    let (status, body) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/wit/workitems?ids=1,9&{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 404);
    assert!(wit_error(&body).1.starts_with("TF401232"));
    let (_, body) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/wit/workitems?ids=1,9&errorPolicy=omit&{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert!(body["value"][1].is_null(), "{body}");
}

#[tokio::test]
async fn a_batch_reads_up_to_200_ids_with_chosen_fields() {
    let app = spawn().await;
    app.create_task("one").await;
    app.create_task("two").await;
    let (status, body) = json(
        app.ado(
            Method::POST,
            &format!("/{ORG}/_apis/wit/workitemsbatch?{API}"),
        )
        .json(&json!({"ids": [1, 2], "fields": ["System.Id", "System.State"]}))
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 2);
    assert_eq!(
        body["value"][1]["fields"],
        json!({"System.Id": 2, "System.State": "New"})
    );
    let too_many: Vec<u32> = (1..=201).collect();
    let (status, _) = json(
        app.ado(
            Method::POST,
            &format!("/{ORG}/_apis/wit/workitemsbatch?{API}"),
        )
        .json(&json!({"ids": too_many}))
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_update_is_one_new_revision_with_the_patch_applied() {
    let app = spawn().await;
    let id = app.create_task("Before").await;
    let ops = json!([
        {"op": "test", "path": "/rev", "value": 1},
        {"op": "replace", "path": "/fields/System.Title", "value": "After"},
        {"op": "add", "path": "/fields/System.State", "value": "Active"},
        {"op": "add", "path": "/fields/Microsoft.VSTS.Common.Priority", "value": 1},
        {"op": "add", "path": "/relations/-", "value": {"rel": "Hyperlink", "url": "https://navigator.example/a"}}
    ]);
    let (status, body) = json(
        app.patch_doc(
            Method::PATCH,
            &format!("/{ORG}/Alpha/_apis/wit/workitems/{id}?{API}"),
            &ops,
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rev"], 2);
    assert_eq!(body["fields"]["System.Title"], "After");
    assert_eq!(body["fields"]["System.State"], "Active");
    assert_eq!(body["fields"]["System.Reason"], "Work started");
    assert_eq!(body["fields"]["Microsoft.VSTS.Common.Priority"], 1);
    assert_eq!(body["relations"].as_array().map(Vec::len), Some(1));

    let remove = json!([{"op": "remove", "path": "/fields/Microsoft.VSTS.Common.Priority"}, {"op": "remove", "path": "/relations/0"}]);
    let (_, body) = json(
        app.patch_doc(
            Method::PATCH,
            &format!("/{ORG}/_apis/wit/workitems/{id}?{API}"),
            &remove,
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(body["rev"], 3);
    assert!(
        body["fields"]
            .get("Microsoft.VSTS.Common.Priority")
            .is_none()
    );
    assert!(body.get("relations").is_none(), "{body}");
}

#[tokio::test]
async fn a_patch_that_changes_nothing_makes_no_revision() {
    let app = spawn().await;
    let id = app.create_task("Same").await;
    let ops = json!([{"op": "replace", "path": "/fields/System.Title", "value": "Same"}]);
    let (_, body) = json(
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
    assert_eq!(body["rev"], 1);
}

#[tokio::test]
async fn a_deleted_work_item_is_404_tf401232_until_restored_from_the_recycle_bin() {
    let app = spawn().await;
    let id = app.create_task("Recycle me").await;
    let (status, deleted) = json(
        app.ado(
            Method::DELETE,
            &format!("/{ORG}/Alpha/_apis/wit/workitems/{id}?{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["id"], id);
    assert_eq!(deleted["code"], 200);
    assert_eq!(deleted["name"], "Recycle me");
    assert_eq!(
        deleted["deletedBy"],
        format!("Navigator Sync <{NAVSYNC_USER}>")
    );

    let (status, body) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/wit/workitems/{id}?{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 404);
    let (type_key, message) = wit_error(&body);
    assert_eq!(type_key, "WorkItemUnauthorizedAccessException");
    assert_eq!(
        message,
        format!(
            "TF401232: Work item {id} does not exist, or you do not have permissions to read it."
        )
    );
    assert_eq!(body["eventId"], 3200);
    assert!(
        app.emulator
            .work_item(ORG, id as u32)
            .is_some_and(|w| w.is_deleted)
    );

    let (status, _) = json(
        app.ado(
            Method::PATCH,
            &format!("/{ORG}/Alpha/_apis/wit/recyclebin/{id}?{API}"),
        )
        .json(&json!({"IsDeleted": false}))
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = json(
        app.ado(
            Method::GET,
            &format!("/{ORG}/_apis/wit/workitems/{id}?{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["fields"]["System.Title"], "Recycle me");
}

#[tokio::test]
async fn destroy_removes_a_work_item_for_good() {
    let app = spawn().await;
    let id = app.create_task("Gone").await;
    let response = app
        .ado(
            Method::DELETE,
            &format!("/{ORG}/_apis/wit/workitems/{id}?destroy=true&{API}"),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 204);
    assert!(app.emulator.work_item(ORG, id as u32).is_none());
}

#[tokio::test]
async fn validate_only_checks_a_create_without_saving_it() {
    let app = spawn().await;
    let ops = json!([{"op": "add", "path": "/fields/System.Title", "value": "Dry run"}]);
    let (status, body) = json(
        app.patch_doc(
            Method::POST,
            &format!("/{ORG}/Alpha/_apis/wit/workitems/$Task?validateOnly=true&{API}"),
            &ops,
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["fields"]["System.Title"], "Dry run");
    assert!(app.emulator.work_items(ORG).is_empty());
    // A failing validation is refused as a real create would be.
    let empty = json!([{"op": "add", "path": "/fields/System.Title", "value": ""}]);
    let response = app
        .patch_doc(
            Method::POST,
            &format!("/{ORG}/Alpha/_apis/wit/workitems/$Task?validateOnly=true&{API}"),
            &empty,
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 400);
    // The next real create still gets id 1.
    assert_eq!(app.create_task("Real").await, 1);
}

#[tokio::test]
async fn reads_need_vso_work_and_writes_need_vso_work_write() {
    let app = spawn().await;
    let id = app.create_task("Scoped").await;
    let read = app
        .get_as(
            &format!("/{ORG}/_apis/wit/workitems/{id}?{API}"),
            READ_ONLY_PAT,
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(read.status().as_u16(), 200);
    let write = app
        .client
        .patch(app.url(&format!("/{ORG}/_apis/wit/workitems/{id}?{API}")))
        .basic_auth("", Some(READ_ONLY_PAT))
        .header("Content-Type", "application/json-patch+json")
        .body(json!([{"op": "add", "path": "/fields/System.Title", "value": "No"}]).to_string())
        .send()
        .await
        .expect("answered");
    assert_eq!(write.status().as_u16(), 401);
    assert_eq!(
        app.emulator
            .work_item(ORG, id as u32)
            .map(|w| w.text("System.Title").to_owned()),
        Some("Scoped".to_owned())
    );
}

#[tokio::test]
async fn a_work_item_of_another_project_is_not_found_through_this_one() {
    let app = spawn().await;
    let id = app.create_task("In Alpha").await;
    let response = app
        .ado(
            Method::GET,
            &format!("/{ORG}/Beta/_apis/wit/workitems/{id}?{API}"),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 404);
    let value: Value = response.json().await.expect("JSON");
    assert!(wit_error(&value).1.starts_with("TF401232"));
}

#[tokio::test]
async fn change_dates_only_increase_even_within_one_millisecond() {
    let app = spawn().await;
    let id = app.create_task("Quick").await;
    let mut last = String::new();
    for n in 0..5 {
        let ops = json!([{"op": "replace", "path": "/fields/System.Title", "value": format!("Quick {n}")}]);
        let (_, body) = json(
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
        let changed = body["fields"]["System.ChangedDate"]
            .as_str()
            .expect("a date")
            .to_owned();
        assert!(changed > last, "{changed} after {last}");
        last = changed;
    }
}
