//! From ADO back to Navigator: raw `ado.work_item.*` events (as the webhook ingress
//! publishes them) become `changed_in_ado` / `deleted_in_ado` only when they should.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use navsync_contracts::{
    ActionItemStatus, AdoWorkItemEventV1, Event, FieldChange, ResourceDetails,
};
use serde_json::{Value, json};

use crate::helpers::{ORG, World, eventually, item, world};

fn raw(
    w: &World,
    work_item_id: i64,
    rev: i64,
    notification: i64,
    changes: &[(&str, Value, Value)],
) -> AdoWorkItemEventV1 {
    AdoWorkItemEventV1 {
        integration_id: w.integration_id.parse().expect("uuid"),
        company_id: w.company_id,
        organization: ORG.to_owned(),
        work_item_id,
        rev: Some(rev),
        subscription_id: "sub-1".into(),
        notification_id: notification,
        event_id: None,
        changed_fields: changes
            .iter()
            .map(|(f, old, new)| {
                (
                    (*f).to_owned(),
                    FieldChange {
                        old_value: Some(old.clone()),
                        new_value: Some(new.clone()),
                    },
                )
            })
            .collect::<BTreeMap<_, _>>(),
        fields: None,
        revised_by: Some("Dana Planner <dana@example.com>".into()),
        revised_at: Some(Utc::now()),
        resource_details: ResourceDetails::All,
    }
}

/// A synced item and its work item id.
async fn synced_item(w: &World) -> (navsync_contracts::ActionItemV1, u32) {
    let it = item(w, "Synced first");
    w.created(&it).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(1) }).await);
    let id = w.work_items_of(&it)[0].id;
    (it, id)
}

async fn changes_for(
    w: &World,
    action_item: uuid::Uuid,
) -> Vec<navsync_contracts::ActionItemChangedInAdoV1> {
    w.reports()
        .await
        .into_iter()
        .filter_map(|e| match e.data {
            Event::ActionItemChangedInAdo(c) if c.action_item_id == action_item => Some(c),
            _ => None,
        })
        .collect()
}

/// A person closes the work item and its webhook (notification `notification`) is
/// reported: whatever was published before it has been handled by then.
async fn a_persons_close_is_reported(
    w: &World,
    action_item: uuid::Uuid,
    id: u32,
    notification: i64,
) {
    let state = ("System.State", "Active", "Closed");
    a_persons_edit_is_reported(w, action_item, id, state, notification).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
}

/// A person changes `field` of the work item from `from` to `to`; its webhook
/// (notification `notification`) is reported. Returns the edit's revision.
async fn a_persons_edit_is_reported(
    w: &World,
    action_item: uuid::Uuid,
    id: u32,
    (field, from, to): (&str, &str, &str),
    notification: i64,
) -> i64 {
    let before = changes_for(w, action_item).await.len();
    let edited = w
        .emulator
        .emulator
        .edit_as_person(ORG, id, &json!({ field: to }), None)
        .expect("edited");
    w.publish(Event::AdoWorkItemUpdated(raw(
        w,
        id.into(),
        edited.rev.into(),
        notification,
        &[(field, json!(from), json!(to))],
    )))
    .await;
    assert!(
        eventually(10, || async {
            changes_for(w, action_item).await.len() > before
        })
        .await
    );
    edited.rev.into()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persons_edit_becomes_changed_in_ado_with_only_the_changed_fields() {
    let w = world("Agile").await;
    let (it, id) = synced_item(&w).await;
    let edited = w
        .emulator
        .emulator
        .edit_as_person(ORG, id, &json!({"System.Title": "Renamed by Dana"}), None)
        .expect("edited");
    let event = raw(
        &w,
        id.into(),
        edited.rev.into(),
        1,
        &[(
            "System.Title",
            json!("Synced first"),
            json!("Renamed by Dana"),
        )],
    );
    w.publish(Event::AdoWorkItemUpdated(event.clone())).await;
    // The same notification again is applied once.
    w.publish(Event::AdoWorkItemUpdated(event)).await;
    assert!(eventually(10, || async { !changes_for(&w, it.id).await.is_empty() }).await);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let changes = changes_for(&w, it.id).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    let title = changes[0].changes.title.as_ref().expect("title changed");
    assert_eq!(title.value, "Renamed by Dana");
    assert_eq!(title.rev, i64::from(edited.rev));
    assert!(changes[0].changes.description.is_none() && changes[0].changes.status.is_none());
    assert_eq!(
        changes[0].changed_by.as_deref(),
        Some("Dana Planner <dana@example.com>")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_echo_of_our_own_write_produces_nothing() {
    let w = world("Agile").await;
    let (it, id) = synced_item(&w).await;
    let rev = w.work_items_of(&it)[0].rev;
    w.publish(Event::AdoWorkItemUpdated(raw(
        &w,
        id.into(),
        rev.into(),
        7,
        &[("System.Title", json!(null), json!("Synced first"))],
    )))
    .await;
    // A foreign work item, too.
    let foreign = w
        .emulator
        .emulator
        .create_as_person(
            ORG,
            "Alpha",
            "Task",
            &json!({"System.Title": "Made in ADO"}),
            None,
        )
        .expect("created");
    w.publish(Event::AdoWorkItemUpdated(raw(
        &w,
        foreign.id.into(),
        2,
        8,
        &[("System.Title", json!("a"), json!("b"))],
    )))
    .await;
    // A marker change after both, to know they were handled.
    a_persons_close_is_reported(&w, it.id, id, 9).await;
    let all: Vec<_> = w
        .reports()
        .await
        .into_iter()
        .filter(|e| matches!(e.data, Event::ActionItemChangedInAdo(_)))
        .collect();
    assert_eq!(all.len(), 1, "only the person's state change: {all:?}");
    let Event::ActionItemChangedInAdo(c) = &all[0].data else {
        unreachable!()
    };
    assert_eq!(
        c.changes.status.as_ref().map(|s| s.value),
        Some(ActionItemStatus::Done)
    );
    assert!(c.changes.title.is_none());
}

/// The worker records each revision it writes before it saves what its link knows. If it
/// dies (or cannot publish the sync status) in between, the link still holds the values
/// and revisions from before the write, so the per-field check would take the echo for a
/// person's newer edit: only the record of written revisions recognises it.
#[tokio::test(flavor = "multi_thread")]
async fn the_echo_of_a_write_whose_link_was_never_updated_produces_nothing() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

    let w = world("Agile").await;
    let (it, id) = synced_item(&w).await;
    // ado-sync's write: ADO has it and it is recorded as ours, but the link never learned it.
    let written = w
        .emulator
        .emulator
        .edit_as_person(
            ORG,
            id,
            &json!({"System.Title": "Written by ado-sync"}),
            None,
        )
        .expect("written");
    let mut db = AsyncPgConnection::establish(w.db.url())
        .await
        .expect("database");
    diesel::sql_query(format!(
        "INSERT INTO ado_sync.written_revisions (organization, work_item_id, rev) \
         VALUES ('{ORG}', {id}, {})",
        written.rev
    ))
    .execute(&mut db)
    .await
    .expect("recorded as ours");
    w.publish(Event::AdoWorkItemUpdated(raw(
        &w,
        id.into(),
        written.rev.into(),
        5,
        &[(
            "System.Title",
            json!("Synced first"),
            json!("Written by ado-sync"),
        )],
    )))
    .await;
    // A person's edit after it, to know the echo was handled.
    a_persons_close_is_reported(&w, it.id, id, 6).await;
    let changes = changes_for(&w, it.id).await;
    assert_eq!(changes.len(), 1, "only the person's edit: {changes:?}");
    assert!(changes[0].changes.title.is_none(), "{changes:?}");
    assert_eq!(
        changes[0].changes.status.as_ref().map(|s| s.value),
        Some(ActionItemStatus::Done)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_older_revision_loses_only_the_fields_changed_since() {
    let w = world("Agile").await;
    let (it, id) = synced_item(&w).await;
    let a = w
        .emulator
        .emulator
        .edit_as_person(
            ORG,
            id,
            &json!({"System.Title": "Title A", "System.State": "Closed"}),
            None,
        )
        .expect("edit a");
    let b = w
        .emulator
        .emulator
        .edit_as_person(ORG, id, &json!({"System.Title": "Title B"}), None)
        .expect("edit b");
    // b arrives first, a late.
    w.publish(Event::AdoWorkItemUpdated(raw(
        &w,
        id.into(),
        b.rev.into(),
        2,
        &[("System.Title", json!("Title A"), json!("Title B"))],
    )))
    .await;
    assert!(eventually(10, || async { changes_for(&w, it.id).await.len() == 1 }).await);
    w.publish(Event::AdoWorkItemUpdated(raw(
        &w,
        id.into(),
        a.rev.into(),
        1,
        &[
            ("System.Title", json!("Synced first"), json!("Title A")),
            ("System.State", json!("Active"), json!("Closed")),
        ],
    )))
    .await;
    assert!(eventually(10, || async { changes_for(&w, it.id).await.len() == 2 }).await);
    let changes = changes_for(&w, it.id).await;
    assert_eq!(
        changes[0].changes.title.as_ref().map(|t| t.value.as_str()),
        Some("Title B")
    );
    let late = &changes[1].changes;
    assert!(
        late.title.is_none(),
        "Title A is older than Title B: dropped"
    );
    assert_eq!(
        late.status.as_ref().map(|s| s.value),
        Some(ActionItemStatus::Done),
        "the state still flows"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn minimal_payloads_are_completed_by_reading_the_work_item() {
    // One database connection: the echo check of the read work item uses the handler's.
    let w = crate::helpers::world_with("Agile", &[("NAVSYNC_DATABASE__POOL_SIZE", "1")]).await;
    let (it, id) = synced_item(&w).await;
    let edited = w
        .emulator
        .emulator
        .edit_as_person(
            ORG,
            id,
            &json!({"System.Description": "<div>From <b>ADO</b> &amp; co</div>"}),
            None,
        )
        .expect("edited");
    let mut event = raw(&w, id.into(), edited.rev.into(), 3, &[]);
    event.resource_details = ResourceDetails::Minimal;
    w.publish(Event::AdoWorkItemUpdated(event)).await;
    assert!(eventually(10, || async { !changes_for(&w, it.id).await.is_empty() }).await);
    let changes = changes_for(&w, it.id).await;
    let description = changes[0]
        .changes
        .description
        .as_ref()
        .expect("description");
    assert_eq!(description.value.as_deref(), Some("From ADO & co"));
    assert!(changes[0].changes.title.is_none() && changes[0].changes.status.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_minimal_payloads_read_of_a_slow_ado_does_not_hold_the_database_connection() {
    // One database connection, and an ADO that takes 1.5 s to answer (the tests' client
    // gives up at 2 s): the read of one minimal payload must not keep another delivery
    // from the database meanwhile.
    let w = crate::helpers::world_with("Agile", &[("NAVSYNC_DATABASE__POOL_SIZE", "1")]).await;
    let (slow, slow_id) = synced_item(&w).await;
    let (quick, quick_id) = synced_item(&w).await;
    let edited = w
        .emulator
        .emulator
        .edit_as_person(
            ORG,
            slow_id,
            &json!({"System.Title": "Read from ADO"}),
            None,
        )
        .expect("edited");
    let renamed = w
        .emulator
        .emulator
        .edit_as_person(
            ORG,
            quick_id,
            &json!({"System.Title": "Carried whole"}),
            None,
        )
        .expect("edited");
    w.emulator
        .emulator
        .set_latency(navsync_ado_emulator::Latency::fixed(1_500))
        .expect("latency");
    let mut minimal = raw(&w, slow_id.into(), edited.rev.into(), 3, &[]);
    minimal.resource_details = ResourceDetails::Minimal;
    w.publish(Event::AdoWorkItemUpdated(minimal)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    w.publish(Event::AdoWorkItemUpdated(raw(
        &w,
        quick_id.into(),
        renamed.rev.into(),
        4,
        &[(
            "System.Title",
            json!("Synced first"),
            json!("Carried whole"),
        )],
    )))
    .await;
    assert!(
        eventually(5, || async { !changes_for(&w, quick.id).await.is_empty() }).await,
        "the full payload is applied"
    );
    assert!(
        changes_for(&w, slow.id).await.is_empty(),
        "the full payload waited for the other one's read of ADO"
    );
    assert!(eventually(15, || async { !changes_for(&w, slow.id).await.is_empty() }).await);
    let title = changes_for(&w, slow.id).await[0].changes.title.clone();
    assert_eq!(title.map(|t| t.value), Some("Read from ADO".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deletion_in_ado_becomes_deleted_in_ado() {
    let w = world("Agile").await;
    let (it, id) = synced_item(&w).await;
    w.emulator
        .emulator
        .delete_as_person(ORG, id, None)
        .expect("deleted");
    let mut event = raw(&w, id.into(), 3, 4, &[]);
    event.rev = None;
    w.publish(Event::AdoWorkItemDeleted(event)).await;
    assert!(
        eventually(10, || async {
            w.reports().await.iter().any(|e| matches!(&e.data,
                Event::ActionItemDeletedInAdo(d) if d.action_item_id == it.id && d.work_item_id == i64::from(id)))
        })
        .await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persons_edit_our_write_overtook_still_reaches_navigator_once() {
    let w = world("Agile").await;
    let (mut it, id) = synced_item(&w).await;
    // Dana renames the work item; its webhook is slow.
    let renamed = w
        .emulator
        .emulator
        .edit_as_person(ORG, id, &json!({"System.Title": "Renamed by Dana"}), None)
        .expect("edited");
    // Meanwhile Navigator closes the item: our write of the state lands after Dana's edit,
    // and ADO's answer to it already carries her title.
    it.version = 2;
    it.status = ActionItemStatus::Done;
    w.updated(&it, &["status"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    assert_eq!(w.work_items_of(&it)[0].text("System.State"), "Closed");
    assert!(
        eventually(10, || async { !changes_for(&w, it.id).await.is_empty() }).await,
        "Dana's title never reached Navigator"
    );
    let changes = changes_for(&w, it.id).await;
    assert_eq!(
        changes[0].changes.title.as_ref().map(|t| t.value.as_str()),
        Some("Renamed by Dana")
    );
    assert!(
        changes[0].changes.status.is_none(),
        "the state was our own write"
    );
    // Her webhook comes at last: already reported, so nothing more.
    w.publish(Event::AdoWorkItemUpdated(raw(
        &w,
        id.into(),
        renamed.rev.into(),
        9,
        &[(
            "System.Title",
            json!("Synced first"),
            json!("Renamed by Dana"),
        )],
    )))
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(changes_for(&w, it.id).await.len(), 1);
    // And the next Navigator edit does not send the old title back.
    it.version = 3;
    it.title = "Renamed by Dana".into();
    it.status = ActionItemStatus::InProgress;
    w.updated(&it, &["status"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(3) }).await);
    assert_eq!(
        w.work_items_of(&it)[0].text("System.Title"),
        "Renamed by Dana"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_value_an_event_carries_from_before_a_reported_change_is_not_written_over_it() {
    let w = world("Agile").await;
    let (mut it, id) = synced_item(&w).await;
    // Dana renames the work item, then closes it; both webhooks are reported.
    let rename = ("System.Title", "Synced first", "Renamed by Dana");
    let renamed = a_persons_edit_is_reported(&w, it.id, id, rename, 1).await;
    a_persons_close_is_reported(&w, it.id, id, 2).await;
    let closed_rev = w.work_items_of(&it)[0].rev;
    // Navigator applies her rename first: its event carries the status Navigator still
    // has (in progress), which is older than her close, not an edit of it.
    it.version = 2;
    it.origin = navsync_contracts::Origin::Ado;
    it.title = "Renamed by Dana".into();
    it.ado_revisions.title = Some(renamed);
    w.updated(&it, &["title"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    let wi = &w.work_items_of(&it)[0];
    assert_eq!(
        wi.text("System.State"),
        "Closed",
        "her close was overwritten"
    );
    assert_eq!(wi.rev, closed_rev, "nothing was written");
    // Then her close: nothing to send either.
    it.version = 3;
    it.status = ActionItemStatus::Done;
    it.ado_revisions.status = Some(closed_rev.into());
    w.updated(&it, &["status"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(3) }).await);
    assert_eq!(w.work_items_of(&it)[0].rev, closed_rev);
    // A Navigator edit of the state after that goes to ADO as always.
    it.version = 4;
    it.origin = navsync_contracts::Origin::Navigator;
    it.status = ActionItemStatus::InProgress;
    w.updated(&it, &["status"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(4) }).await);
    assert_eq!(w.work_items_of(&it)[0].text("System.State"), "Active");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_navigator_edit_of_a_field_with_a_reported_change_pending_is_still_sent() {
    let w = world("Agile").await;
    let (mut it, id) = synced_item(&w).await;
    a_persons_close_is_reported(&w, it.id, id, 1).await;
    // Before Navigator applied her close, someone in Navigator set the item to not
    // started: a person's edit, so it goes to ADO (and is the newest write there).
    it.version = 2;
    it.status = ActionItemStatus::NotStarted;
    w.updated(&it, &["status"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    let wi = w.work_items_of(&it)[0].clone();
    assert_eq!(wi.text("System.State"), "New");
    // Navigator applies her close when it comes, so the write is reported as the newer
    // revision of the status: Navigator ends where ADO does.
    assert!(
        eventually(10, || async {
            changes_for(&w, it.id).await.iter().any(|c| {
                c.changes.status.as_ref().is_some_and(|s| {
                    s.value == ActionItemStatus::NotStarted && s.rev == i64::from(wi.rev)
                })
            })
        })
        .await,
        "{:?}",
        changes_for(&w, it.id).await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn navigator_holding_an_older_changes_value_again_has_not_caught_up_with_ados_newest() {
    let w = world("Agile").await;
    let (mut it, id) = synced_item(&w).await;
    // Dana closes the work item, opens it again, and closes it again.
    let state = |from, to| ("System.State", from, to);
    let first = a_persons_edit_is_reported(&w, it.id, id, state("Active", "Closed"), 1).await;
    let second = a_persons_edit_is_reported(&w, it.id, id, state("Closed", "Active"), 2).await;
    a_persons_edit_is_reported(&w, it.id, id, state("Active", "Closed"), 3).await;
    let closed_again = w.work_items_of(&it)[0].rev;
    // Navigator applies her first close: done, as ADO is now, but not yet her newest.
    it.version = 2;
    it.origin = navsync_contracts::Origin::Ado;
    it.status = ActionItemStatus::Done;
    it.ado_revisions.status = Some(first);
    w.updated(&it, &["status"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    // Then her reopening; and then someone renames the item in Navigator, the event
    // carrying the reopened status, which her second close has overtaken in ADO.
    it.version = 3;
    it.status = ActionItemStatus::InProgress;
    it.ado_revisions.status = Some(second);
    w.updated(&it, &["status"]).await;
    it.version = 4;
    it.origin = navsync_contracts::Origin::Navigator;
    it.title = "Renamed in Navigator".into();
    w.updated(&it, &["title"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(4) }).await);
    let wi = &w.work_items_of(&it)[0];
    assert_eq!(wi.text("System.Title"), "Renamed in Navigator");
    assert_eq!(
        wi.text("System.State"),
        "Closed",
        "her last close was overwritten"
    );
    assert_eq!(wi.rev, closed_again + 1, "one write: the title");
}

/// ADO carries out a write and the answer is lost; while the write waits for its retry
/// (which ADO keeps failing), the write's echo arrives. It must not be taken for a
/// person's edit: reported, Navigator would apply that older value over any edit made
/// since, and the edit would be lost on both sides.
#[tokio::test(flavor = "multi_thread")]
async fn the_echo_of_a_write_whose_answer_was_lost_is_not_a_persons_edit() {
    let w = world("Agile").await;
    let (it, id) = synced_item(&w).await;
    let v2 = w
        .retitle_losing_the_answer(&it, "Written, answer lost")
        .await;
    let echo = w.work_items_of(&it)[0].rev;
    w.publish(Event::AdoWorkItemUpdated(raw(
        &w,
        id.into(),
        echo.into(),
        11,
        &[(
            "System.Title",
            json!("Synced first"),
            json!("Written, answer lost"),
        )],
    )))
    .await;
    a_persons_close_is_reported(&w, it.id, id, 12).await;
    w.emulator.emulator.clear_faults();
    assert!(eventually(20, || async { w.synced_version(&v2).await == Some(2) }).await);

    let changes = changes_for(&w, it.id).await;
    assert_eq!(changes.len(), 1, "only the person's close: {changes:?}");
    assert!(changes[0].changes.title.is_none(), "{changes:?}");
    let wi = &w.work_items_of(&it)[0];
    assert_eq!(wi.text("System.Title"), "Written, answer lost");
    assert_eq!(
        wi.text("System.State"),
        "Closed",
        "the retry kept the close"
    );
}
