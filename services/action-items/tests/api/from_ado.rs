//! Applying what ado-sync reports: sync status, changes made in ADO, deletions in ADO.

use chrono::Utc;
use navsync_contracts::{
    ActionItemChangedInAdoV1, ActionItemDeletedInAdoV1, ActionItemStatus, ActionItemSyncFailedV1,
    ActionItemSyncedV1, AdoChanges, Envelope, Event, FieldValue, Origin, SyncError, source,
};
use navsync_messaging::inspect;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

fn changed(app: &TestApp, id: Uuid, rev: i64, changes: AdoChanges) -> Envelope<Event> {
    Envelope::from_event(
        source::ADO_SYNC,
        Event::ActionItemChangedInAdo(ActionItemChangedInAdoV1 {
            action_item_id: id,
            company_id: app.company_id,
            work_item_id: 42,
            rev,
            changes,
            changed_by: Some("Ana Admin <ana@example.com>".into()),
            changed_at: Utc::now(),
        }),
    )
}

fn title(value: &str, rev: i64) -> AdoChanges {
    AdoChanges {
        title: Some(FieldValue {
            value: value.into(),
            rev,
        }),
        ..AdoChanges::default()
    }
}

async fn new_item(app: &TestApp) -> Uuid {
    let item = app.create_ok("From Navigator").await;
    item["id"].as_str().expect("id").parse().expect("uuid")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_synced_report_fills_the_ado_block() {
    let app = spawn_app().await;
    let id = new_item(&app).await;
    app.publish_from_ado_sync(&Envelope::from_event(
        source::ADO_SYNC,
        Event::ActionItemSynced(ActionItemSyncedV1 {
            action_item_id: id,
            company_id: app.company_id,
            work_item_id: 42,
            url: "https://dev.azure.com/org/proj/_workitems/edit/42".into(),
            rev: 1,
            version: 1,
            synced_at: Utc::now(),
            warnings: vec![],
        }),
    ))
    .await;
    let item = app
        .eventually(&id.to_string(), |v| v["ado"]["sync_state"] == "synced")
        .await;
    assert_eq!(item["ado"]["work_item_id"], 42);
    assert_eq!(
        item["ado"]["url"],
        "https://dev.azure.com/org/proj/_workitems/edit/42"
    );
    assert!(item["ado"]["last_synced_at"].is_string());
    assert_eq!(
        item["version"], 1,
        "sync status is not a change of the item"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_with_a_warning_shows_it_until_a_clean_sync() {
    let app = spawn_app().await;
    let id = new_item(&app).await;
    let synced = |version: i64, warnings: Vec<SyncError>| {
        Envelope::from_event(
            source::ADO_SYNC,
            Event::ActionItemSynced(ActionItemSyncedV1 {
                action_item_id: id,
                company_id: app.company_id,
                work_item_id: 42,
                url: "https://dev.azure.com/org/proj/_workitems/edit/42".into(),
                rev: version,
                version,
                synced_at: Utc::now(),
                warnings,
            }),
        )
    };
    let warning = SyncError {
        code: "assignee_not_in_ado".into(),
        message: "Synced without the assignee.".into(),
    };
    app.publish_from_ado_sync(&synced(1, vec![warning])).await;
    let item = app
        .eventually(&id.to_string(), |v| v["ado"]["sync_state"] == "synced")
        .await;
    assert_eq!(item["ado"]["warning"], "Synced without the assignee.");
    assert!(item["ado"]["error"].is_null());
    app.publish_from_ado_sync(&synced(1, vec![])).await;
    app.eventually(&id.to_string(), |v| v["ado"].get("warning").is_none())
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_or_paused_sync_shows_its_error_on_the_item() {
    let app = spawn_app().await;
    let id = new_item(&app).await;
    app.publish_from_ado_sync(&Envelope::from_event(
        source::ADO_SYNC,
        Event::ActionItemSyncFailed(ActionItemSyncFailedV1 {
            action_item_id: id,
            company_id: app.company_id,
            work_item_id: None,
            version: 1,
            error: SyncError {
                code: "ado_bad_request".into(),
                message: "TF401320: Rule Error for field Title.".into(),
            },
            paused: false,
            failed_at: Utc::now(),
        }),
    ))
    .await;
    let item = app
        .eventually(&id.to_string(), |v| v["ado"]["sync_state"] == "failed")
        .await;
    assert_eq!(
        item["ado"]["error"],
        "TF401320: Rule Error for field Title."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_delivered_twice_is_applied_once() {
    let app = spawn_app().await;
    let id = new_item(&app).await;
    let event = changed(&app, id, 3, title("Renamed in ADO", 3));
    app.publish_from_ado_sync(&event).await;
    app.publish_from_ado_sync(&event).await;
    let item = app
        .eventually(&id.to_string(), |v| v["title"] == "Renamed in ADO")
        .await;
    assert_eq!(item["version"], 2);
    let envelopes = app.events.settled_envelopes(2).await;
    let updates: Vec<_> = envelopes
        .iter()
        .filter_map(|e| match &e.data {
            Event::ActionItemUpdated(u) => Some(u),
            _ => None,
        })
        .collect();
    assert_eq!(updates.len(), 1, "one event for one change");
    assert_eq!(updates[0].item.origin, Origin::Ado);
    assert_eq!(updates[0].changed_fields, ["title"]);
    // The event says which ADO revision the title has caught up with (ado-sync tells a
    // value older than ADO's from an edit by it).
    assert_eq!(
        updates[0].item.ado_revisions,
        navsync_contracts::AdoRevisions {
            title: Some(3),
            ..Default::default()
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_revision_arriving_late_does_not_overwrite_a_newer_one() {
    let app = spawn_app().await;
    let id = new_item(&app).await;
    app.publish_from_ado_sync(&changed(&app, id, 5, title("Newer", 5)))
        .await;
    app.eventually(&id.to_string(), |v| v["title"] == "Newer")
        .await;
    app.publish_from_ado_sync(&changed(&app, id, 4, title("Older", 4)))
        .await;
    // A marker after the late one: once it is applied, the late one was handled before it.
    let status = AdoChanges {
        status: Some(FieldValue {
            value: ActionItemStatus::Done,
            rev: 6,
        }),
        ..AdoChanges::default()
    };
    app.publish_from_ado_sync(&changed(&app, id, 6, status))
        .await;
    let item = app
        .eventually(&id.to_string(), |v| v["status"] == "done")
        .await;
    assert_eq!(item["title"], "Newer");
    assert_eq!(item["version"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_of_one_field_in_ado_keeps_a_concurrent_navigator_change_of_another() {
    let app = spawn_app().await;
    let id = new_item(&app).await;
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/v1/action-items/{id}"),
            Some(json!({"status": "in_progress", "description": "from Navigator"})),
            &[],
        )
        .await;
    assert_eq!(status, 200);
    app.publish_from_ado_sync(&changed(&app, id, 2, title("Title from ADO", 2)))
        .await;
    let item = app
        .eventually(&id.to_string(), |v| v["title"] == "Title from ADO")
        .await;
    assert_eq!(item["status"], "in_progress");
    assert_eq!(item["description"], "from Navigator");
    assert_eq!(item["version"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deletion_in_ado_deletes_the_item_and_says_so() {
    let app = spawn_app().await;
    let id = new_item(&app).await;
    app.publish_from_ado_sync(&Envelope::from_event(
        source::ADO_SYNC,
        Event::ActionItemDeletedInAdo(ActionItemDeletedInAdoV1 {
            action_item_id: id,
            company_id: app.company_id,
            work_item_id: 42,
            rev: Some(4),
            deleted_by: None,
            deleted_at: Utc::now(),
        }),
    ))
    .await;
    let item = app
        .eventually(&id.to_string(), |v| v["error"]["code"] == "not_found")
        .await;
    assert_eq!(item["error"]["code"], "not_found");
    let envelopes = app.events.envelopes(2).await;
    match &envelopes[1].data {
        Event::ActionItemDeleted(d) => {
            assert_eq!(d.origin, Origin::Ado);
            assert_eq!(d.version, 2);
        }
        other => panic!("expected deleted, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poison_message_is_dead_lettered_with_its_reason_and_the_next_is_applied() {
    let app = spawn_app().await;
    let id = new_item(&app).await;
    app.publish_raw(
        "action_item.changed_in_ado.v1",
        "poison-1".into(),
        b"{not json".to_vec(),
    )
    .await;
    app.publish_from_ado_sync(&changed(&app, id, 2, title("After the poison", 2)))
        .await;
    let item = app
        .eventually(&id.to_string(), |v| v["title"] == "After the poison")
        .await;
    assert_eq!(item["title"], "After the poison");
    let mut dead = Vec::new();
    for _ in 0..50 {
        dead = inspect::take(&app.broker, "action-items.ado-sync.dlq", 10)
            .await
            .expect("dlq readable");
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].message.message_id.as_deref(), Some("poison-1"));
    let reason = dead[0].reason.clone().unwrap_or_default();
    assert!(reason.starts_with("not_json"), "{reason}");
}
