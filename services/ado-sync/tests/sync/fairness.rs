//! Fairness under load, with ADO slowed down: one organization's in-flight calls stay
//! within their bound, its backlog does not hold back another organization, and a
//! person's live edit does not wait behind a backlog of creations.

use std::collections::HashSet;

use navsync_ado_emulator::Latency;
use navsync_contracts::{ActionItemV1, Event};
use navsync_test_support::token;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{ORG, World, eventually, item, world_with};

const OTHER_ORG: &str = "p2anav-other";
const OTHER_PAT: &str = "othrpat0othrpat1othrpat2othrpat3othrpat4othrpat5othrpat6othrpatAZDO7890";

/// A world whose worker makes at most `in_flight` ADO calls per organization.
async fn world_limited_to(in_flight: usize) -> World {
    world_with(
        "Agile",
        &[(
            "NAVSYNC_SYNC__MAX_IN_FLIGHT_PER_ORG",
            &in_flight.to_string(),
        )],
    )
    .await
}

/// A second company, integrated with a second organization; its company id.
async fn other_company(w: &World) -> Uuid {
    w.emulator
        .emulator
        .seed(
            serde_json::from_value(json!({"organizations": [
                {"name": OTHER_ORG, "process": "Agile", "projects": ["Beta"], "pats": [OTHER_PAT]}
            ]}))
            .expect("seed shape"),
        )
        .expect("seeded");
    let company_id = Uuid::new_v4();
    let status = w
        .http
        .post(format!("{}/v1/integrations", w.integrations))
        .bearer_auth(token(company_id).encode())
        .json(&json!({"organization": OTHER_ORG, "pat": OTHER_PAT}))
        .send()
        .await
        .expect("sent")
        .status();
    assert_eq!(status, 201, "the second integration is created");
    company_id
}

fn backlog(w: &World, n: usize) -> Vec<ActionItemV1> {
    (0..n).map(|i| item(w, &format!("backlog {i}"))).collect()
}

/// How many of `items` ado-sync has reported synced.
async fn synced_among(w: &World, items: &[ActionItemV1]) -> usize {
    let ids: HashSet<Uuid> = items.iter().map(|i| i.id).collect();
    w.reports()
        .await
        .iter()
        .filter_map(|e| match &e.data {
            Event::ActionItemSynced(s) if ids.contains(&s.action_item_id) => Some(s.action_item_id),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .len()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_emulator_never_sees_more_calls_of_one_organization_than_its_in_flight_limit() {
    let w = world_limited_to(3).await;
    w.emulator
        .emulator
        .set_latency(Latency::fixed(150))
        .expect("latency");
    let items = backlog(&w, 40);
    for it in &items {
        w.created(it).await;
    }
    assert!(
        eventually(60, || async {
            synced_among(&w, &items).await == items.len()
        })
        .await,
        "the backlog drains"
    );
    assert_eq!(
        w.emulator.emulator.max_concurrent_requests(ORG),
        3,
        "always within the limit, and the limit was reached"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_busy_organizations_backlog_does_not_hold_back_another_organization() {
    let w = world_limited_to(4).await;
    let other = other_company(&w).await;
    w.emulator
        .emulator
        .set_latency(Latency::fixed(200))
        .expect("latency");
    // 150 creations at 4 calls of 200 ms at a time: about 7.5 s to drain.
    let busy = backlog(&w, 150);
    for it in &busy {
        w.created(it).await;
    }
    let mut quiet = item(&w, "The other organization's item");
    quiet.company_id = other;
    w.created(&quiet).await;
    assert!(
        eventually(30, || async { w.synced_version(&quiet).await == Some(1) }).await,
        "the other organization's item syncs"
    );
    let drained = synced_among(&w, &busy).await;
    assert!(
        drained < busy.len() / 2,
        "synced long before the busy backlog drained ({drained} of {} were)",
        busy.len()
    );
    assert_eq!(
        w.emulator.emulator.work_items(OTHER_ORG).len(),
        1,
        "in its own organization"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_edit_reaches_ado_before_most_of_a_backlog_of_creations() {
    let w = world_limited_to(4).await;
    let mut edited = item(&w, "Synced before the backlog");
    w.created(&edited).await;
    assert!(eventually(10, || async { w.synced_version(&edited).await == Some(1) }).await);
    w.emulator
        .emulator
        .set_latency(Latency::fixed(200))
        .expect("latency");
    let creations = backlog(&w, 100);
    for it in &creations {
        w.created(it).await;
    }
    edited.version = 2;
    edited.title = "Edited during the backlog".into();
    w.updated(&edited, &["title"]).await;
    assert!(
        eventually(30, || async {
            w.work_items_of(&edited)[0].text("System.Title") == "Edited during the backlog"
        })
        .await,
        "the edit reaches ADO"
    );
    let drained = synced_among(&w, &creations).await;
    assert!(
        drained < creations.len() / 2,
        "the edit went before most of the backlog ({drained} of {} creations were synced first)",
        creations.len()
    );
}
