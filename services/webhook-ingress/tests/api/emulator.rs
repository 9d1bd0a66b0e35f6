//! Deliveries from the ADO emulator's real service hook path — ADO's payloads, Basic auth,
//! every resource detail level and the docs-sample quirk — land as events.

use std::time::Duration;

use navsync_ado_emulator::{
    DeliveryResult, Person, ResourceDetails as Details, WebhookSubscription,
};
use navsync_contracts::{Event, ResourceDetails, decode};
use serde_json::json;

use crate::helpers::{ORG, PROJECT, data, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn the_emulators_deliveries_of_every_shape_land_as_events() {
    let app = spawn_app().await;
    let url = app.hook_url();
    for subscription in [
        WebhookSubscription::new("workitem.created", &url),
        WebhookSubscription::new("workitem.updated", &url),
        WebhookSubscription::new("workitem.updated", &url).resource_details(Details::Minimal),
        WebhookSubscription::new("workitem.updated", &url).docs_sample_quirk(),
        WebhookSubscription::new("workitem.updated", &url)
            .resource_details(Details::Minimal)
            .docs_sample_quirk(),
        WebhookSubscription::new("workitem.deleted", &url),
        WebhookSubscription::new("workitem.restored", &url),
    ] {
        app.subscribe(subscription);
    }
    let hooks = &app.emulator.emulator;
    let dana = Person::new("Dana Planner", "dana@example.com");
    let item = hooks
        .create_as_person(
            ORG,
            PROJECT,
            "Task",
            &json!({"System.Title": "Plan the sprint"}),
            None,
        )
        .expect("created");
    let edited = hooks
        .edit_as_person(
            ORG,
            item.id,
            &json!({"System.Title": "Plan the next sprint"}),
            Some(&dana),
        )
        .expect("edited");
    hooks.delete_as_person(ORG, item.id, None).expect("deleted");
    hooks
        .restore_as_person(ORG, item.id, None)
        .expect("restored");

    // 1 created + 4 updated + 1 deleted + 1 restored, every one answered 200.
    let deliveries = hooks.wait_for_deliveries(7, Duration::from_secs(10)).await;
    assert_eq!(deliveries.len(), 7, "{deliveries:?}");
    for d in &deliveries {
        assert_eq!(d.status, Some(200), "{} {:?}", d.event_type, d.error);
        assert_eq!(d.result, DeliveryResult::Delivered);
    }

    let seen = app.events.settled(6).await;
    assert_eq!(seen.len(), 6, "created is ignored, the rest published");
    let envelopes: Vec<_> = seen
        .iter()
        .map(|m| decode(&m.body).expect("valid"))
        .collect();
    let updates: Vec<_> = envelopes
        .iter()
        .filter(|e| matches!(e.data, Event::AdoWorkItemUpdated(_)))
        .map(data)
        .collect();
    assert_eq!(updates.len(), 4);
    for u in &updates {
        assert_eq!(u.work_item_id, i64::from(item.id), "{u:?}");
        assert_eq!(u.rev, Some(i64::from(edited.rev)));
        assert_eq!(u.integration_id, app.integration_uuid());
    }
    let full: Vec<_> = updates
        .iter()
        .filter(|u| u.resource_details == ResourceDetails::All)
        .collect();
    assert_eq!(full.len(), 2);
    for u in &full {
        assert_eq!(
            u.changed_fields["System.Title"].new_value,
            Some(json!("Plan the next sprint"))
        );
        assert_eq!(
            u.revised_by.as_deref(),
            Some("Dana Planner <dana@example.com>"),
            "from revisedBy, or from System.ChangedBy when the quirk nulls it"
        );
    }
    assert_eq!(
        updates
            .iter()
            .filter(|u| u.resource_details == ResourceDetails::Minimal)
            .count(),
        2
    );
    let mut ids: Vec<_> = updates.iter().map(|u| u.subscription_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "one event per subscription");

    let kinds: Vec<&str> = seen.iter().map(|m| m.routing_key.as_str()).collect();
    assert!(kinds.contains(&"ado.work_item.deleted.v1"));
    assert!(kinds.contains(&"ado.work_item.restored.v1"));
    for e in envelopes
        .iter()
        .filter(|e| !matches!(e.data, Event::AdoWorkItemUpdated(_)))
    {
        assert_eq!(data(e).work_item_id, i64::from(item.id));
    }
    assert_eq!(app.webhooks_total("ignored", "workitem.created").await, 1.0);
}
