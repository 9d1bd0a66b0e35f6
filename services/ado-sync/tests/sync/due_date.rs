//! The due date goes to ADO only where the work item type has the field (in the emulator,
//! as in ADO's templates, only Agile's `Issue`), and clearing it in Navigator clears it in
//! ADO.

use chrono::NaiveDate;
use navsync_contracts::ActionItemV1;

use crate::helpers::{World, eventually, item, world};

const DUE_DATE: &str = "Microsoft.VSTS.Scheduling.DueDate";

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a date")
}

/// An integration making Agile `Issue`s (the type with a due date) and an action item
/// due on 2026-06-30, created and synced as version 1.
async fn an_issue_due_on_june_30() -> (World, ActionItemV1) {
    let w = world("Agile").await;
    // Before the first event, so the worker reads the integration with this type.
    assert_eq!(
        w.change_integration(serde_json::json!({"work_item_type": "Issue"}))
            .await,
        200
    );
    let mut it = item(&w, "Ship before the deadline");
    it.due_date = Some(day("2026-06-30"));
    w.created(&it).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(1) }).await);
    (w, it)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_due_date_reaches_ado_follows_its_changes_and_is_cleared_with_it() {
    let (w, mut it) = an_issue_due_on_june_30().await;
    let wi = &w.work_items_of(&it)[0];
    assert_eq!(wi.text("System.WorkItemType"), "Issue");
    assert!(wi.text(DUE_DATE).starts_with("2026-06-30"), "{wi:?}");

    it.version = 2;
    it.due_date = Some(day("2026-07-15"));
    w.updated(&it, &["due_date"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    assert!(
        w.work_items_of(&it)[0]
            .text(DUE_DATE)
            .starts_with("2026-07-15")
    );

    it.version = 3;
    it.due_date = None;
    w.updated(&it, &["due_date"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(3) }).await);
    assert_eq!(
        w.work_items_of(&it)[0].field(DUE_DATE),
        None,
        "cleared in Navigator, cleared in ADO"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_due_date_is_left_out_where_the_type_has_no_such_field_and_the_item_still_syncs() {
    let w = world("Agile").await;
    let mut it = item(&w, "A task with a deadline");
    it.due_date = Some(day("2026-06-30"));
    w.created(&it).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(1) }).await);
    let wi = &w.work_items_of(&it)[0];
    assert_eq!(wi.text("System.WorkItemType"), "Task");
    assert_eq!(wi.text("System.Title"), "A task with a deadline");
    assert_eq!(wi.field(DUE_DATE), None);
    let rev = wi.rev;

    // A change of the due date alone has nothing to write.
    it.version = 2;
    it.due_date = Some(day("2026-07-15"));
    w.updated(&it, &["due_date"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    assert_eq!(w.work_items_of(&it)[0].rev, rev, "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_due_date_and_assignee_change_overtaken_by_a_newer_version_still_reach_ado() {
    let (w, mut it) = an_issue_due_on_june_30().await;
    // Version 2 moves the date and assigns Ann, but its event is overtaken: version 3 (a
    // new title only) is handled first, and version 2 comes late, older than what synced.
    it.version = 2;
    it.due_date = Some(day("2026-07-15"));
    it.assignee_email = Some("ann@example.com".into());
    let v2 = it.clone();
    it.version = 3;
    it.title = "Ship before the new deadline".into();
    w.updated(&it, &["title"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(3) }).await);
    w.updated(&v2, &["due_date", "assignee_email"]).await;
    let wi = &w.work_items_of(&it)[0];
    assert_eq!(wi.text("System.Title"), "Ship before the new deadline");
    assert!(wi.text(DUE_DATE).starts_with("2026-07-15"), "{wi:?}");
    assert_eq!(wi.text("System.AssignedTo"), crate::helpers::MEMBER);
    // What was sent is not sent again: a person's date set in ADO since survives the next
    // change, which names neither field.
    w.emulator
        .emulator
        .edit_as_person(
            crate::helpers::ORG,
            wi.id,
            &serde_json::json!({DUE_DATE: "2026-08-01T00:00:00Z"}),
            None,
        )
        .expect("edited in ADO");
    it.version = 4;
    it.title = "Shipped".into();
    w.updated(&it, &["title"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(4) }).await);
    let wi = &w.work_items_of(&it)[0];
    assert_eq!(wi.text("System.Title"), "Shipped");
    assert!(wi.text(DUE_DATE).starts_with("2026-08-01"), "{wi:?}");
}
