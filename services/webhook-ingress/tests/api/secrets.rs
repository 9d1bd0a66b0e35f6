//! The secret and state the ingress caches: a rotated secret stops working once the cache
//! lets go of it, and `integration.changed.v1` makes it let go at once.

use std::time::Duration;

use navsync_contracts::{
    Envelope, Event, IntegrationChange, IntegrationChangedV1, encode, integration_status, source,
};
use navsync_messaging::{Broker, OutgoingMessage, PublishError, Publisher};
use navsync_webhook_ingress::IngressSettings;
use serde_json::json;

use crate::helpers::{Options, TestApp, fixture, spawn_app_with};

fn with_ttl(secs: u64) -> Options {
    Options {
        ingress: IngressSettings {
            secret_cache_ttl_secs: secs,
            ..IngressSettings::default()
        },
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_secret_replaces_the_old_one_once_the_cache_expires() {
    let app = spawn_app_with(with_ttl(1)).await;
    let old = app.secret.clone();
    let body = serde_json::to_vec(&fixture("workitem.updated.json")).expect("json");
    assert_eq!(
        app.post_raw(&app.integration_id, Some(&old), body.clone())
            .await
            .status,
        200
    );

    let (status, rotated) = app
        .admin(
            reqwest::Method::POST,
            &format!(
                "/v1/integrations/{}/webhook-secret/rotate",
                app.integration_id
            ),
            None,
        )
        .await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["value"].as_str().expect("new secret").to_owned();
    assert_ne!(new, old);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let answer = app
        .post_raw(&app.integration_id, Some(&old), body.clone())
        .await;
    assert_eq!(answer.status, 401, "the old secret no longer works");
    let answer = app.post_raw(&app.integration_id, Some(&new), body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

/// Publishes `integration.changed.v1` as integrations would, once the ingress's own queue
/// is bound (it declares it as it starts).
async fn announce(app: &TestApp, change: IntegrationChange, status: &str) {
    let envelope = Envelope::from_event(
        source::INTEGRATIONS,
        Event::IntegrationChanged(IntegrationChangedV1 {
            integration_id: app.integration_uuid(),
            company_id: app.company_id,
            change,
            status: status.into(),
            reason: None,
        }),
    );
    let message = OutgoingMessage::cloud_event(
        envelope.exchange(),
        envelope.routing_key(),
        envelope.id.to_string(),
        encode(&envelope).expect("encodes"),
        None,
    );
    let publisher = Publisher::new(Broker::new(
        app.vhost.url().to_owned().into(),
        "test-integrations",
    ));
    for _ in 0..100 {
        match publisher.publish(&message).await {
            Ok(()) => return,
            Err(PublishError::Unroutable { .. }) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => panic!("publish: {err}"),
        }
    }
    panic!("the ingress never bound its queue to navigator.integrations");
}

#[tokio::test(flavor = "multi_thread")]
async fn integration_changed_drops_the_cached_state_at_once() {
    let app = spawn_app_with(with_ttl(600)).await;
    let mut body = fixture("workitem.updated.json");
    assert_eq!(app.deliver(&body).await.body["status"], "accepted");

    app.set_enabled(false).await;
    body["notificationId"] = json!(18);
    assert_eq!(
        app.deliver(&body).await.body["status"],
        "accepted",
        "without the event, the cached state holds for its TTL"
    );

    announce(
        &app,
        IntegrationChange::Disabled,
        integration_status::DISABLED,
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut n = 19;
    loop {
        body["notificationId"] = json!(n);
        n += 1;
        let answer = app.deliver(&body).await;
        if answer.body["status"] == "dropped" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {}",
            answer.text
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(app.logs.text().contains("integration changed"));
}
