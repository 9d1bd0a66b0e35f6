//! `integration.changed.v1`: one event per committed change, in order, never a secret,
//! and none lost while the broker is away.

use navsync_contracts::{Envelope, Event, IntegrationChange, IntegrationChangedV1};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{GOOD_PAT, SERVICE_TOKEN, spawn_app};

fn changed(envelope: &Envelope<Event>) -> &IntegrationChangedV1 {
    match &envelope.data {
        Event::IntegrationChanged(c) => c,
        other => panic!("not an integration change: {other:?}"),
    }
}

#[tokio::test]
async fn every_change_is_announced_in_order_with_the_status_after_it() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    let secret = app.reveal(&id, "webhook_secret").await;

    let (status, body) = app
        .admin(Method::PATCH, &path, Some(json!({"enabled": false})))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"enabled": true, "work_item_type": "Bug"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .admin(
            Method::POST,
            &format!("/v1/integrations/{id}/webhook-secret/rotate"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rotated = body["value"].as_str().expect("value").to_owned();
    let (status, body) = app
        .send(
            Method::POST,
            &format!("/internal/v1/integrations/{id}/needs-attention"),
            Some(SERVICE_TOKEN),
            Some(json!({"reason": "pat_rejected", "service": "ado-sync"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .admin(Method::PATCH, &path, Some(json!({"pat": GOOD_PAT})))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(status, 204, "{body}");

    let messages = app.events.settled(8).await;
    let envelopes: Vec<_> = messages
        .iter()
        .map(|m| navsync_contracts::decode(&m.body).expect("valid event"))
        .collect();
    let seen: Vec<_> = envelopes
        .iter()
        .map(|e| {
            let c = changed(e);
            (c.change, c.status.as_str(), c.reason.as_deref())
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (IntegrationChange::Created, "active", None),
            (IntegrationChange::Disabled, "disabled", None),
            (IntegrationChange::SettingsChanged, "active", None),
            (IntegrationChange::Enabled, "active", None),
            (IntegrationChange::WebhookSecretRotated, "active", None),
            (
                IntegrationChange::NeedsAttention,
                "needs_attention",
                Some("pat_rejected")
            ),
            (IntegrationChange::CredentialsReplaced, "active", None),
            (IntegrationChange::Deleted, "deleted", None),
        ]
    );
    for (message, envelope) in messages.iter().zip(&envelopes) {
        assert_eq!(changed(envelope).integration_id.to_string(), id);
        assert_eq!(changed(envelope).company_id, app.company_id);
        assert_eq!(message.routing_key, "integration.changed.v1");
        let text = String::from_utf8_lossy(&message.body);
        for s in [GOOD_PAT, secret.as_str(), rotated.as_str()] {
            assert!(!text.contains(s), "a secret left in an event: {text}");
        }
    }
}

#[tokio::test]
async fn a_repeated_attention_report_is_announced_once() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    for _ in 0..3 {
        let (status, body) = app
            .send(
                Method::POST,
                &format!("/internal/v1/integrations/{id}/needs-attention"),
                Some(SERVICE_TOKEN),
                Some(json!({"reason": "pat_rejected"})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let kinds: Vec<_> = app
        .events
        .settled_envelopes(2)
        .await
        .iter()
        .map(|e| changed(e).change)
        .collect();
    assert_eq!(
        kinds,
        vec![
            IntegrationChange::Created,
            IntegrationChange::NeedsAttention
        ]
    );
}

#[tokio::test]
async fn changes_made_while_the_broker_is_away_are_announced_when_it_returns() {
    let app = spawn_app().await;
    app.vhost.deny().await;
    app.vhost.close_connections().await;
    // The admin API does not depend on the broker: the change and its event commit together.
    let id = app.create_ok().await;
    let (status, body) = app
        .admin(
            Method::PATCH,
            &format!("/v1/integrations/{id}"),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    app.vhost.allow().await;
    let kinds: Vec<_> = app
        .events
        .settled_envelopes(2)
        .await
        .iter()
        .map(|e| changed(e).change)
        .collect();
    assert_eq!(
        kinds,
        vec![IntegrationChange::Created, IntegrationChange::Disabled]
    );
}
