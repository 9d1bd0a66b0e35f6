//! Delivery outcomes, as ADO handles them: 408/502/503/504 retried, 410 disables the
//! subscription at once, any other failure puts it on probation and, if it goes on,
//! disables it; the history of attempts and the subscription's status are visible.

use navsync_ado_emulator::{DeliveryResult, SubscriptionStatus, WebhookSubscription};
use serde_json::json;

use crate::helpers::{API, ORG, json};
use crate::hook_helpers::{deliveries, subscribe, subscribe_with, with_receiver};

async fn status_via_rest(app: &crate::helpers::TestEmulator, id: uuid::Uuid) -> String {
    let (_, body) = json(
        app.ado(
            reqwest::Method::GET,
            &format!("/{ORG}/_apis/hooks/subscriptions/{id}?{API}"),
        )
        .send()
        .await
        .expect("answered"),
    )
    .await;
    body["status"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_503_is_retried_and_then_delivered() {
    let (app, receiver) = with_receiver(&[503, 503]).await;
    let subscription = subscribe(&app, &receiver, "workitem.created");
    app.create_task("Retried").await;
    let attempts = deliveries(&app, 3).await;
    let results: Vec<_> = attempts
        .iter()
        .map(|d| (d.attempt, d.status, d.result))
        .collect();
    assert_eq!(
        results,
        [
            (1, Some(503), DeliveryResult::Retrying),
            (2, Some(503), DeliveryResult::Retrying),
            (3, Some(200), DeliveryResult::Delivered),
        ]
    );
    let received = receiver.wait_for(3).await;
    assert!(
        received.iter().all(|r| r.body["notificationId"] == 1),
        "one notification, three tries"
    );
    assert_eq!(received[0].body["id"], received[2].body["id"]);
    assert_eq!(status_via_rest(&app, subscription.id).await, "enabled");
}

#[tokio::test]
async fn a_410_disables_the_subscription_at_once() {
    let (app, receiver) = with_receiver(&[410]).await;
    let subscription = subscribe(&app, &receiver, "workitem.created");
    app.create_task("Gone").await;
    let attempts = deliveries(&app, 1).await;
    assert_eq!(attempts[0].result, DeliveryResult::Disabled);
    assert_eq!(
        status_via_rest(&app, subscription.id).await,
        "disabledBySystem"
    );
    app.create_task("Not sent").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(app.emulator.deliveries().len(), 1);
}

#[tokio::test]
async fn a_500_puts_the_subscription_on_probation_and_then_disables_it() {
    let (app, receiver) = with_receiver(&[500, 500, 500]).await;
    let subscription = subscribe(&app, &receiver, "workitem.created");
    app.create_task("Failing").await;
    let attempts = deliveries(&app, 3).await;
    let results: Vec<_> = attempts.iter().map(|d| d.result).collect();
    assert_eq!(
        results,
        [
            DeliveryResult::OnProbation,
            DeliveryResult::OnProbation,
            DeliveryResult::Disabled
        ]
    );
    let info = &app.emulator.subscriptions(ORG)[0];
    assert_eq!(info.status, SubscriptionStatus::DisabledBySystem);
    assert_eq!(info.probation_retries, 3);
    assert_eq!(
        status_via_rest(&app, subscription.id).await,
        "disabledBySystem"
    );
}

#[tokio::test]
async fn a_subscription_on_probation_recovers_when_a_delivery_succeeds() {
    let (app, receiver) = with_receiver(&[404]).await;
    subscribe(&app, &receiver, "workitem.created");
    app.create_task("Recovering").await;
    let attempts = deliveries(&app, 2).await;
    let results: Vec<_> = attempts.iter().map(|d| d.result).collect();
    assert_eq!(
        results,
        [DeliveryResult::OnProbation, DeliveryResult::Delivered]
    );
    assert_eq!(
        app.emulator.subscriptions(ORG)[0].status,
        SubscriptionStatus::Enabled
    );
}

#[tokio::test]
async fn a_refused_connection_puts_the_subscription_on_probation() {
    let (app, receiver) = with_receiver(&[]).await;
    // A port nothing listens on any more.
    let url = receiver.url.clone();
    receiver.stop().await;
    subscribe_with(&app, WebhookSubscription::new("workitem.created", &url));
    app.create_task("Nobody home").await;
    let attempts = deliveries(&app, 1).await;
    assert_eq!(attempts[0].result, DeliveryResult::OnProbation);
    assert!(attempts[0].status.is_none());
    assert!(attempts[0].error.is_some());
}

#[tokio::test]
async fn the_delivery_history_is_listed_and_cleared_through_the_control_api() {
    let (app, receiver) = with_receiver(&[]).await;
    let subscription = subscribe(&app, &receiver, "workitem.created");
    app.create_task("Listed").await;
    deliveries(&app, 1).await;
    let (status, body) = json(
        app.get("/_emulator/deliveries")
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    let item = &body["items"][0];
    assert_eq!(item["subscription_id"], subscription.id.to_string());
    assert_eq!(item["event_type"], "workitem.created");
    assert_eq!(item["work_item_id"], 1);
    assert_eq!(item["notification_id"], 1);
    assert_eq!(item["attempt"], 1);
    assert_eq!(item["status"], 200);
    assert_eq!(item["result"], "delivered");
    assert!(item["at"].is_string());
    let cleared = app
        .client
        .delete(app.url("/_emulator/deliveries"))
        .send()
        .await
        .expect("answered");
    assert_eq!(cleared.status().as_u16(), 204);
    assert!(app.emulator.deliveries().is_empty());
}

#[tokio::test]
async fn hook_timings_are_read_and_set_through_the_control_api() {
    let (app, _receiver) = with_receiver(&[]).await;
    let (status, body) = app
        .control(
            "/hooks/settings",
            &json!({"retry_base_ms": 50, "probation_base_ms": 100, "probation_limit": 4}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = json(
        app.get("/_emulator/hooks/settings")
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(body["retry_base_ms"], 50);
    assert_eq!(body["probation_limit"], 4);
    let (status, _) = app
        .control("/hooks/settings", &json!({"probation_limit": 0}))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn deliveries_in_flight_together_that_fail_count_as_one_probation_retry() {
    let (app, receiver) = with_receiver(&[]).await;
    let mut settings = crate::hook_helpers::fast();
    settings.parallel_deliveries = 8;
    settings.probation_base_ms = 60_000;
    app.emulator.set_hook_settings(settings).expect("valid");
    let url = receiver.url.clone();
    receiver.stop().await;
    subscribe_with(&app, WebhookSubscription::new("workitem.created", &url));
    // Six notifications at once to a subscriber that is down: one outage, one retry of
    // the subscription, not six (probation ends after 3).
    for i in 0..6 {
        app.create_task(&format!("Outage {i}")).await;
    }
    let attempts = deliveries(&app, 6).await;
    assert!(
        attempts
            .iter()
            .all(|d| d.result == DeliveryResult::OnProbation),
        "{:?}",
        attempts.iter().map(|d| d.result).collect::<Vec<_>>()
    );
    let info = &app.emulator.subscriptions(ORG)[0];
    assert_eq!(info.status, SubscriptionStatus::OnProbation);
    assert_eq!(info.probation_retries, 1);
}
