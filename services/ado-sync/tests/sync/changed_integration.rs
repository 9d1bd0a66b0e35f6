//! A change to the integration (type, state mapping) takes effect with the next sync: the
//! worker drops its cached copy when `integration.changed.v1` says so, instead of trusting
//! it until its TTL (ten minutes in these tests) runs out.

use std::time::Duration;

use navsync_contracts::{ActionItemStatus, Event, IntegrationChange, exchange};
use navsync_test_support::{Captured, observe};
use serde_json::json;

use navsync_ado_sync::outbound::INTEGRATION_DISABLED;

use crate::helpers::{World, eventually, item, world};

/// Changes the integration and waits until its `integration.changed.v1` (the
/// `announced`-th settings change seen on `changes`) is out, plus a moment for the worker's own
/// subscription to hear it.
async fn change_and_announce(
    w: &World,
    changes: &Captured,
    announced: usize,
    body: serde_json::Value,
) {
    assert_eq!(w.change_integration(body).await, 200);
    assert!(
        eventually(10, || async {
            changes
                .snapshot_envelopes()
                .await
                .iter()
                .filter(|e| {
                    matches!(&e.data, Event::IntegrationChanged(c) if c.change == IntegrationChange::SettingsChanged)
                })
                .count()
                >= announced
        })
        .await,
        "integration.changed.v1 published"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_type_or_state_mapping_is_used_by_the_next_sync_without_waiting_for_the_cache() {
    let w = world("Agile").await;
    let changes = observe(&w.broker, exchange::INTEGRATIONS, &w.shutdown).await;
    let first = item(&w, "Synced as a task");
    w.created(&first).await;
    assert!(eventually(10, || async { w.synced_version(&first).await == Some(1) }).await);
    assert_eq!(
        w.work_items_of(&first)[0].text("System.State"),
        "Active",
        "in progress maps to Active by category"
    );

    change_and_announce(
        &w,
        &changes,
        1,
        json!({"state_mapping": {"in_progress": "New"}}),
    )
    .await;
    let mapped = item(&w, "Mapped by the admin");
    w.created(&mapped).await;
    assert!(eventually(10, || async { w.synced_version(&mapped).await == Some(1) }).await);
    assert_eq!(w.work_items_of(&mapped)[0].text("System.State"), "New");

    change_and_announce(
        &w,
        &changes,
        2,
        json!({"work_item_type": "Issue", "state_mapping": {}}),
    )
    .await;
    let mut issue = item(&w, "Now an issue");
    issue.status = ActionItemStatus::Done;
    w.created(&issue).await;
    assert!(eventually(10, || async { w.synced_version(&issue).await == Some(1) }).await);
    let wi = &w.work_items_of(&issue)[0];
    assert_eq!(wi.text("System.WorkItemType"), "Issue");
    assert_eq!(wi.text("System.State"), "Closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_integration_disabled_an_item_says_so_and_its_next_change_after_enabling_syncs() {
    let w = world("Agile").await;
    let changes = observe(&w.broker, exchange::INTEGRATIONS, &w.shutdown).await;
    assert_eq!(w.change_integration(json!({"enabled": false})).await, 200);
    let mut it = item(&w, "Made while sync is off");
    w.created(&it).await;
    assert!(
        eventually(10, || async {
            w.reports().await.iter().any(|e| {
                matches!(&e.data,
                Event::ActionItemSyncFailed(f) if f.action_item_id == it.id
                    && f.error.code == INTEGRATION_DISABLED && !f.paused)
            })
        })
        .await,
        "the item shows why it is not synced"
    );
    assert!(w.work_items().is_empty());

    assert_eq!(w.change_integration(json!({"enabled": true})).await, 200);
    assert!(
        eventually(10, || async {
            changes.snapshot_envelopes().await.iter().any(|e| {
                matches!(&e.data, Event::IntegrationChanged(c) if c.change == IntegrationChange::Enabled)
            })
        })
        .await
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    it.version = 2;
    it.title = "Made while sync was off".into();
    w.updated(&it, &["title"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    assert_eq!(
        w.work_items_of(&it)[0].text("System.Title"),
        "Made while sync was off"
    );
}
