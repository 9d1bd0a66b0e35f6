//! From Navigator to ADO: exactly one work item per action item, only what changed, and
//! every ADO failure shape handled.

use navsync_ado_emulator::{Fault, RateLimit};
use navsync_contracts::{ActionItemStatus, Event};
use serde_json::Value;

use navsync_ado_sync::outbound::ASSIGNEE_NOT_IN_ADO;

use crate::helpers::{MEMBER, ORG, PAT, eventually, item, world};

#[tokio::test(flavor = "multi_thread")]
async fn a_created_item_becomes_one_work_item_and_follows_its_updates_and_deletion() {
    let w = world("Agile").await;
    let mut it = item(&w, "Prepare the retro");
    w.created(&it).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(1) }).await);
    let items = w.work_items_of(&it);
    assert_eq!(items.len(), 1);
    let wi = &items[0];
    assert_eq!(wi.text("System.Title"), "Prepare the retro");
    assert_eq!(
        wi.text("System.Description"),
        "First line<br>Second &lt;line&gt;"
    );
    assert_eq!(wi.text("System.State"), "Active");
    assert_eq!(wi.text("System.WorkItemType"), "Task");
    assert!(wi.text("System.Tags").contains("P2A Navigator"));
    let link = format!("http://127.0.0.1:8082/action-items/{}", it.id);
    assert!(
        wi.relations
            .iter()
            .any(|r| r["rel"] == "Hyperlink" && r["url"] == Value::String(link.clone())),
        "{:?}",
        wi.relations
    );

    it.version = 2;
    it.title = "Prepare the retro, v2".into();
    it.status = ActionItemStatus::Done;
    w.updated(&it, &["title", "status"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    let wi = &w.work_items_of(&it)[0];
    assert_eq!(wi.text("System.Title"), "Prepare the retro, v2");
    assert_eq!(wi.text("System.State"), "Closed");
    let rev_after_update = wi.rev;

    // The same version again, and a no-op version: nothing is sent to ADO.
    w.updated(&it, &["title", "status"]).await;
    it.version = 3;
    w.updated(&it, &[]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(3) }).await);
    assert_eq!(
        w.work_items_of(&it)[0].rev,
        rev_after_update,
        "nothing was written"
    );

    it.version = 4;
    w.deleted(&it).await;
    assert!(
        eventually(10, || async {
            w.work_items_of(&it)[0]
                .text("System.Tags")
                .contains("P2A Navigator deleted")
        })
        .await
    );
    assert!(
        !w.work_items_of(&it)[0].is_deleted,
        "keep: the work item stays"
    );
    assert_eq!(w.work_items().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn redelivered_and_reordered_events_still_make_one_work_item_with_the_latest_values() {
    let w = world("Agile").await;
    let v1 = item(&w, "v1");
    let mut v2 = v1.clone();
    v2.version = 2;
    v2.title = "v2".into();
    let mut v3 = v1.clone();
    v3.version = 3;
    v3.title = "v3".into();
    v3.status = ActionItemStatus::NotStarted;
    // An update before its create, a duplicate, and a late older version.
    w.updated(&v3, &["title", "status"]).await;
    w.created(&v1).await;
    w.created(&v1).await;
    w.updated(&v2, &["title"]).await;
    assert!(eventually(10, || async { w.synced_version(&v3).await == Some(3) }).await);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let items = w.work_items_of(&v3);
    assert_eq!(items.len(), 1, "exactly one work item");
    assert_eq!(items[0].text("System.Title"), "v3");
    assert_eq!(items[0].text("System.State"), "New");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_create_answer_still_leaves_exactly_one_work_item() {
    let w = world("Agile").await;
    for (status, drop_connection) in [(Some(500), false), (None, true)] {
        w.emulator
            .emulator
            .add_fault(Fault {
                method: Some("POST".into()),
                path_contains: Some("/_apis/wit/workitems/".into()),
                status,
                drop_connection,
                after_commit: true,
                ..Fault::status(500, 1)
            })
            .expect("fault");
        let it = item(&w, "Created once");
        w.created(&it).await;
        assert!(eventually(20, || async { w.synced_version(&it).await == Some(1) }).await);
        assert_eq!(
            w.work_items_of(&it).len(),
            1,
            "the marker found the first one"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_syncs_everything_and_nobody_jumps_the_queue() {
    const BUDGET: u32 = 20;
    let w = world("Agile").await;
    w.emulator
        .emulator
        .set_rate_limit(ORG, Some(RateLimit::new(BUDGET, 5)))
        .expect("rate limit");
    // Another tool with the same PAT has just spent the whole budget, so ado-sync's first
    // requests meet the rate limit itself, before it has seen any X-RateLimit-Remaining.
    for _ in 0..BUDGET {
        let status = w
            .http
            .get(format!(
                "{}/{ORG}/_apis/projects?api-version=7.1",
                w.emulator.base_url
            ))
            .basic_auth("", Some(PAT))
            .send()
            .await
            .expect("answered")
            .status();
        assert_eq!(status, 200, "the other tool stays within the budget");
    }
    // ADO also refuses a few outright, telling us to wait a second.
    w.emulator
        .emulator
        .add_fault(Fault {
            retry_after: Some(1),
            ..Fault::status(429, 3)
        })
        .expect("fault");
    let items: Vec<_> = (0..25).map(|i| item(&w, &format!("storm {i}"))).collect();
    for it in &items {
        w.created(it).await;
    }
    assert!(
        eventually(60, || async {
            let mut all = true;
            for it in &items {
                all &= w.synced_version(it).await == Some(1);
            }
            all
        })
        .await,
        "everything synced"
    );
    assert_eq!(w.work_items().len(), 25);
    let refused_by_the_limit = w
        .emulator
        .emulator
        .requests()
        .iter()
        .filter(|r| r.rate_limited)
        .count();
    assert!(
        refused_by_the_limit > 0,
        "the rate limit itself refused ado-sync at least once, not only the injected faults"
    );
    assert!(
        w.emulator.emulator.early_requests().is_empty(),
        "nobody came back before its Retry-After: {:?}",
        w.emulator.emulator.early_requests()
    );
}

/// Whether ado-sync reported `item` paused (parked until an admin acts).
async fn paused(w: &crate::helpers::World, item_id: uuid::Uuid) -> bool {
    w.reports().await.iter().any(|e| {
        matches!(&e.data, Event::ActionItemSyncFailed(f) if f.action_item_id == item_id && f.paused)
    })
}

async fn reports_about(w: &crate::helpers::World, item_id: uuid::Uuid) -> usize {
    w.reports()
        .await
        .iter()
        .filter(|e| match &e.data {
            Event::ActionItemSyncFailed(f) => f.action_item_id == item_id,
            Event::ActionItemSynced(s) => s.action_item_id == item_id,
            _ => false,
        })
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_pat_parks_work_until_a_valid_one_is_saved() {
    let w = world("Agile").await;
    w.emulator.emulator.revoke_pat(ORG, PAT);
    let it = item(&w, "Waits for a PAT");
    w.created(&it).await;
    assert!(
        eventually(10, || async {
            w.integration().await["status"] == "needs_attention"
        })
        .await,
        "integration flagged"
    );
    assert_eq!(w.integration().await["status_reason"], "pat_rejected");
    assert!(
        eventually(10, || paused(&w, it.id)).await,
        "the item shows it is paused"
    );
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(
        w.work_items().is_empty(),
        "nothing created while the PAT is dead"
    );

    // Created once the integration is already flagged: parked without a call to ADO.
    let requests_before = w.emulator.emulator.requests().len();
    let later = item(&w, "Created while flagged");
    w.created(&later).await;
    assert!(
        eventually(10, || paused(&w, later.id)).await,
        "the later item shows it is paused too"
    );
    let reported = reports_about(&w, later.id).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        w.emulator.emulator.requests().len(),
        requests_before,
        "never sent to ADO"
    );
    assert_eq!(
        reports_about(&w, later.id).await,
        reported,
        "parked once, not going round the retry ladder"
    );

    // The resumer polls every ten minutes in these tests: only the integration.changed.v1
    // of the new PAT can wake the parked work this soon.
    let new_pat = "renewedpat0renewedpat1renewedpat2renewedpat3renewedpatAZDO4567";
    w.emulator.emulator.add_pat(ORG, new_pat.into());
    assert_eq!(w.set_pat(new_pat).await, 200);
    assert!(eventually(15, || async { w.synced_version(&it).await == Some(1) }).await);
    assert!(eventually(15, || async { w.synced_version(&later).await == Some(1) }).await);
    assert_eq!(w.work_items_of(&it).len(), 1);
    assert_eq!(w.work_items_of(&later).len(), 1);
    assert_eq!(w.work_items().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_error_shows_on_the_item_and_the_next_change_tries_again() {
    let w = world("Agile").await;
    w.emulator
        .emulator
        .add_fault(Fault {
            method: Some("POST".into()),
            path_contains: Some("/_apis/wit/workitems/".into()),
            ..Fault::status(400, 1)
        })
        .expect("fault");
    let mut it = item(&w, "Refused once");
    w.created(&it).await;
    assert!(
        eventually(10, || async {
            w.reports().await.iter().any(|e| matches!(&e.data,
                Event::ActionItemSyncFailed(f) if f.action_item_id == it.id && f.error.code == "ado_bad_request" && !f.paused))
        })
        .await
    );
    it.version = 2;
    w.updated(&it, &["title"]).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(2) }).await);
    assert_eq!(w.work_items_of(&it).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_of_a_work_item_deleted_in_ado_is_reported_not_retried_forever() {
    let w = world("Agile").await;
    let mut it = item(&w, "Deleted behind our back");
    w.created(&it).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(1) }).await);
    let id = w.work_items_of(&it)[0].id;
    w.emulator
        .emulator
        .delete_as_person(ORG, id, None)
        .expect("deleted");
    it.version = 2;
    it.title = "Too late".into();
    w.updated(&it, &["title"]).await;
    assert!(
        eventually(10, || async {
            w.reports().await.iter().any(|e| matches!(&e.data,
                Event::ActionItemSyncFailed(f) if f.action_item_id == it.id && f.error.code == "work_item_not_found"))
        })
        .await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn items_of_a_company_without_an_integration_or_not_synced_are_left_alone() {
    let w = world("Agile").await;
    let mut other = item(&w, "Other company");
    other.company_id = uuid::Uuid::new_v4();
    w.created(&other).await;
    let mut local = item(&w, "Navigator only");
    local.sync_to_ado = false;
    w.created(&local).await;
    let marker = item(&w, "Marker");
    w.created(&marker).await;
    assert!(eventually(10, || async { w.synced_version(&marker).await == Some(1) }).await);
    assert_eq!(
        w.work_items().len(),
        1,
        "only the synced item of the integrated company"
    );
}

async fn states_of(process: &str) -> Vec<String> {
    let w = world(process).await;
    let mut states = Vec::new();
    for status in [
        ActionItemStatus::NotStarted,
        ActionItemStatus::InProgress,
        ActionItemStatus::Done,
    ] {
        let mut it = item(&w, &format!("{process} {status:?}"));
        it.status = status;
        w.created(&it).await;
        assert!(eventually(10, || async { w.synced_version(&it).await == Some(1) }).await);
        states.push(w.work_items_of(&it)[0].text("System.State").to_owned());
    }
    states
}

#[tokio::test(flavor = "multi_thread")]
async fn scrum_basic_and_cmmi_projects_map_states_by_category() {
    assert_eq!(states_of("Scrum").await, ["To Do", "In Progress", "Done"]);
    assert_eq!(states_of("Basic").await, ["To Do", "Doing", "Done"]);
    assert_eq!(states_of("CMMI").await, ["Proposed", "Active", "Closed"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_recycle_a_deleted_action_item_sends_its_work_item_to_the_recycle_bin() {
    let w = world("Agile").await;
    let status = w
        .http
        .patch(format!(
            "{}/v1/integrations/{}",
            w.integrations, w.integration_id
        ))
        .bearer_auth(&w.admin)
        .json(&serde_json::json!({"on_action_item_deleted": "recycle"}))
        .send()
        .await
        .expect("sent")
        .status();
    assert_eq!(status, 200);
    // The directory trusts what it read for 300 ms in tests.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let mut it = item(&w, "Recycle me");
    w.created(&it).await;
    assert!(eventually(10, || async { w.synced_version(&it).await == Some(1) }).await);
    it.version = 2;
    w.deleted(&it).await;
    assert!(eventually(10, || async { w.work_items_of(&it)[0].is_deleted }).await);
    assert!(
        !w.work_items_of(&it)[0]
            .text("System.Tags")
            .contains("P2A Navigator deleted"),
        "recycled, not tagged"
    );
}

/// The warnings of the last `synced` report of `item`.
async fn last_sync_warnings(w: &crate::helpers::World, item_id: uuid::Uuid) -> Option<Vec<String>> {
    w.reports().await.iter().rev().find_map(|e| match &e.data {
        Event::ActionItemSynced(s) if s.action_item_id == item_id => {
            Some(s.warnings.iter().map(|w| w.code.clone()).collect())
        }
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn the_assignee_goes_to_ado_only_when_ado_knows_the_person() {
    let w = world("Agile").await;
    // A user of the organization: assigned, no warning.
    let mut known = item(&w, "Assigned to a member");
    known.assignee_email = Some("ann@example.com".into());
    w.created(&known).await;
    assert!(eventually(10, || async { w.synced_version(&known).await == Some(1) }).await);
    let wi = &w.work_items_of(&known)[0];
    assert_eq!(wi.text("System.AssignedTo"), MEMBER);
    assert_eq!(last_sync_warnings(&w, known.id).await, Some(vec![]));

    // Someone ADO does not know: the item syncs without the assignee and says why.
    let mut stranger = item(&w, "Assigned to a stranger");
    stranger.assignee_email = Some("stranger@elsewhere.example".into());
    w.created(&stranger).await;
    assert!(
        eventually(10, || async {
            w.synced_version(&stranger).await == Some(1)
        })
        .await
    );
    let wi = &w.work_items_of(&stranger)[0];
    assert_eq!(wi.text("System.Title"), "Assigned to a stranger");
    assert_eq!(wi.text("System.AssignedTo"), "");
    assert_eq!(
        last_sync_warnings(&w, stranger.id).await,
        Some(vec![ASSIGNEE_NOT_IN_ADO.to_owned()])
    );

    // Reassigning the known item to a stranger alone writes nothing and warns.
    let rev_before = w.work_items_of(&known)[0].rev;
    known.version = 2;
    known.assignee_email = Some("stranger@elsewhere.example".into());
    w.updated(&known, &["assignee_email"]).await;
    assert!(eventually(10, || async { w.synced_version(&known).await == Some(2) }).await);
    assert_eq!(w.work_items_of(&known)[0].rev, rev_before);
    assert_eq!(
        last_sync_warnings(&w, known.id).await,
        Some(vec![ASSIGNEE_NOT_IN_ADO.to_owned()])
    );

    // Unassigning in Navigator unassigns in ADO; a title change with a refused
    // assignee still lands.
    known.version = 3;
    known.assignee_email = None;
    w.updated(&known, &["assignee_email"]).await;
    assert!(eventually(10, || async { w.synced_version(&known).await == Some(3) }).await);
    assert_eq!(w.work_items_of(&known)[0].text("System.AssignedTo"), "");
    stranger.version = 2;
    stranger.title = "Renamed anyway".into();
    w.updated(&stranger, &["title", "assignee_email"]).await;
    assert!(
        eventually(10, || async {
            w.synced_version(&stranger).await == Some(2)
        })
        .await
    );
    assert_eq!(
        w.work_items_of(&stranger)[0].text("System.Title"),
        "Renamed anyway"
    );
    assert_eq!(w.work_items_of(&known).len(), 1);
    assert_eq!(w.work_items_of(&stranger).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_waiting_for_another_workers_lease_does_not_hold_up_other_items() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

    // One database connection: a waiter that kept it would stall every other item.
    let w = crate::helpers::world_with("Agile", &[("NAVSYNC_DATABASE__POOL_SIZE", "1")]).await;
    let mut held = item(&w, "Held by another worker");
    let mut free = item(&w, "Free");
    for it in [&held, &free] {
        w.created(it).await;
    }
    assert!(
        eventually(20, || async {
            w.synced_version(&held).await == Some(1) && w.synced_version(&free).await == Some(1)
        })
        .await
    );
    // Another worker holds the first item's lease for the next 10 s.
    let mut db = AsyncPgConnection::establish(w.db.url())
        .await
        .expect("database");
    diesel::sql_query(format!(
        "UPDATE ado_sync.links SET lease_until = now() + interval '10 seconds' \
         WHERE action_item_id = '{}'",
        held.id
    ))
    .execute(&mut db)
    .await
    .expect("leased");
    held.version = 2;
    held.title = "Waits for the lease".into();
    w.updated(&held, &["title"]).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    free.version = 2;
    free.title = "Goes meanwhile".into();
    w.updated(&free, &["title"]).await;
    assert!(
        eventually(5, || async { w.synced_version(&free).await == Some(2) }).await,
        "the other item waited for the lease too"
    );
    assert_eq!(
        w.synced_version(&held).await,
        Some(1),
        "the lease is respected"
    );
    assert!(eventually(20, || async { w.synced_version(&held).await == Some(2) }).await);
}

/// A write whose answer was lost may have changed ADO: if Navigator then goes back to the
/// value ADO held before it, that value is written again rather than taken as already there.
#[tokio::test(flavor = "multi_thread")]
async fn a_value_a_lost_write_may_have_replaced_is_written_again() {
    let w = world("Agile").await;
    let v1 = item(&w, "Before");
    w.created(&v1).await;
    assert!(eventually(10, || async { w.synced_version(&v1).await == Some(1) }).await);
    w.retitle_losing_the_answer(&v1, "Changed, answer lost")
        .await;
    let mut v3 = v1.clone();
    v3.version = 3;
    w.updated(&v3, &["title"]).await;
    w.emulator.emulator.clear_faults();
    assert!(eventually(20, || async { w.synced_version(&v3).await == Some(3) }).await);
    assert_eq!(w.work_items_of(&v1)[0].text("System.Title"), "Before");
}
