//! The broker away: ADO gets 503 with `Retry-After` (which it retries), nothing is lost,
//! and the delivery lands once the broker is back. Readiness follows the broker.

use std::time::Duration;

use navsync_ado_emulator::{DeliveryResult, WebhookSubscription};
use serde_json::json;

use crate::helpers::{ORG, PROJECT, data, fixture, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn with_the_broker_down_ado_gets_503_and_its_retry_lands_once_it_is_back() {
    let app = spawn_app().await;
    let hooks = &app.emulator.emulator;
    let item = hooks
        .create_as_person(
            ORG,
            PROJECT,
            "Task",
            &json!({"System.Title": "Retro"}),
            None,
        )
        .expect("created");
    app.subscribe(WebhookSubscription::new(
        "workitem.updated",
        &app.hook_url(),
    ));

    app.vhost.deny().await;
    app.vhost.close_connections().await;
    let readyz = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz");
    assert_eq!(readyz.status(), 503, "not ready without the broker");

    // A direct call sees the 503 and its Retry-After.
    let answer = app.deliver(&fixture("workitem.updated.json")).await;
    assert_eq!(answer.status, 503, "{}", answer.text);
    assert_eq!(answer.retry_after.as_deref(), Some("5"));
    assert_eq!(answer.body["error"]["code"], "broker_unavailable");

    // ADO's delivery is refused the same way, and retried.
    hooks
        .edit_as_person(ORG, item.id, &json!({"System.State": "Active"}), None)
        .expect("edited");
    let deliveries = hooks.wait_for_deliveries(1, Duration::from_secs(10)).await;
    assert_eq!(deliveries[0].status, Some(503));
    assert_eq!(deliveries[0].result, DeliveryResult::Retrying);

    app.vhost.allow().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !hooks
        .deliveries()
        .iter()
        .any(|d| d.result == DeliveryResult::Delivered)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "never delivered: {:?}",
            hooks.deliveries()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, envelope) = app.events.only_one().await;
    let d = data(&envelope);
    assert_eq!(d.work_item_id, i64::from(item.id));
    assert_eq!(
        d.changed_fields["System.State"].new_value,
        Some(json!("Active"))
    );

    let readyz = app
        .http
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz");
    assert_eq!(readyz.status(), 200, "ready again");
    assert!(app.webhooks_total("unavailable", "workitem.updated").await >= 2.0);
    assert_eq!(
        app.webhooks_total("accepted", "workitem.updated").await,
        1.0
    );
}
