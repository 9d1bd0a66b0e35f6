//! The payload shapes ADO sends (ADO.md, and `tests/fixtures/`, copies of
//! `shared/ado/samples/` and `shared/ado/microsoft/`), posted as ADO would post them.

use navsync_contracts::{Event, FieldChange, ResourceDetails};
use serde_json::{Value, json};

use crate::helpers::{data, fixture, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn a_docs_shaped_update_with_work_item_id_0_is_published_for_the_revisions_work_item() {
    let app = spawn_app().await;
    let answer = app
        .deliver(&fixture("workitem.updated.docs-shape.json"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.body["status"], "accepted");

    let (message, envelope) = app.events.only_one().await;
    assert!(matches!(envelope.data, Event::AdoWorkItemUpdated(_)));
    assert_eq!(message.routing_key, "ado.work_item.updated.v1");
    assert_eq!(message.message_id, Some(envelope.id.to_string()));
    assert_eq!(answer.body["event_id"], envelope.id.to_string());
    assert_eq!(envelope.source, "/navsync/webhook-ingress");
    let d = data(&envelope);
    assert_eq!(d.integration_id, app.integration_uuid());
    assert_eq!(d.company_id, app.company_id);
    assert_eq!(d.organization, "p2anav-dev");
    assert_eq!((d.work_item_id, d.rev), (42, Some(3)));
    assert_eq!(d.subscription_id, "a3c1f7d2-55e0-4b8e-9c61-0d2f4e6b8a10");
    assert_eq!(d.notification_id, 17);
    assert_eq!(
        d.event_id.as_deref(),
        Some("5b0e2c7e-3f0a-4c1e-9d7a-8f3b2a1c0d9e")
    );
    assert_eq!(
        d.changed_fields["System.State"],
        FieldChange {
            old_value: Some(json!("New")),
            new_value: Some(json!("Active"))
        }
    );
    assert_eq!(
        d.fields.as_ref().map(|f| f["System.Title"].clone()),
        Some(json!("Agree a definition of done"))
    );
    assert_eq!(
        d.revised_by.as_deref(),
        Some("Board User <board.user@example.com>"),
        "revisedBy is null: the author comes from System.ChangedBy"
    );
    assert_eq!(
        d.revised_at.map(|t| t.to_rfc3339()),
        Some("2026-03-02T10:15:00.123+00:00".to_owned())
    );
    assert_eq!(d.resource_details, ResourceDetails::All);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_real_2021_delivery_with_numeric_revs_is_published() {
    let app = spawn_app().await;
    let answer = app
        .deliver(&fixture("real-2021-workitem.updated.json"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let (_, envelope) = app.events.only_one().await;
    let d = data(&envelope);
    assert_eq!((d.work_item_id, d.rev), (13, Some(2)));
    assert_eq!(d.subscription_id, "bea5b36f-976e-40e5-a7e4-6b72ceb1dff0");
    assert_eq!(d.notification_id, 1);
    assert_eq!(d.revised_by.as_deref(), Some("欧俊 <luacloud@gmail.com>"));
    assert_eq!(d.changed_fields["System.Rev"].new_value, Some(json!(2)));
    assert_eq!(
        d.changed_fields["System.State"].new_value,
        Some(json!("Approved"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn microsofts_docs_sample_with_string_revs_and_no_subscription_is_published() {
    let app = spawn_app().await;
    let answer = app.deliver(&fixture("docs-workitem.updated.json")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let (_, envelope) = app.events.only_one().await;
    let d = data(&envelope);
    assert_eq!(
        (d.work_item_id, d.rev),
        (5, Some(2)),
        "System.Rev \"2\" read as 2"
    );
    assert_eq!(d.changed_fields["System.Rev"].old_value, Some(json!("1")));
    assert_eq!(
        (d.subscription_id.as_str(), d.notification_id),
        ("event:27646e0e-b520-4d2b-9411-bba7524947cd", 0),
        "without subscriptionId the event id is the deduplication key"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_minimal_update_is_published_saying_it_is_minimal() {
    let app = spawn_app().await;
    let answer = app.deliver(&fixture("workitem.updated.minimal.json")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let (_, envelope) = app.events.only_one().await;
    let d = data(&envelope);
    assert_eq!((d.work_item_id, d.rev), (42, Some(3)));
    assert_eq!(d.resource_details, ResourceDetails::Minimal);
    assert!(d.changed_fields.is_empty());
    assert_eq!(d.fields, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_and_restored_work_items_are_published_as_such() {
    let app = spawn_app().await;
    for name in [
        "workitem.deleted.json",
        "docs-workitem.deleted.json",
        "docs-workitem.restored.json",
    ] {
        let answer = app.deliver(&fixture(name)).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.text);
        assert_eq!(answer.body["status"], "accepted", "{name}");
    }
    let seen = app.events.settled(3).await;
    assert_eq!(seen.len(), 3);
    for (message, (key, id)) in seen.iter().zip([
        ("ado.work_item.deleted.v1", 42),
        ("ado.work_item.deleted.v1", 5),
        ("ado.work_item.restored.v1", 5),
    ]) {
        let envelope = navsync_contracts::decode(&message.body).expect("valid");
        assert_eq!(message.routing_key, key);
        let d = data(&envelope);
        assert_eq!(d.work_item_id, id);
        assert!(d.changed_fields.is_empty());
        assert!(
            d.fields
                .as_ref()
                .is_some_and(|f| f.contains_key("System.Title"))
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn created_commented_and_other_event_types_are_answered_200_and_ignored() {
    let app = spawn_app().await;
    let mut other = fixture("workitem.updated.json");
    other["eventType"] = json!("git.push");
    for body in [
        fixture("docs-workitem.created.json"),
        fixture("docs-workitem.commented.json"),
        other,
    ] {
        let answer = app.deliver(&body).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.body["status"], "ignored");
    }
    assert!(app.events.settled(0).await.is_empty(), "nothing published");
    assert_eq!(app.webhooks_total("ignored", "workitem.created").await, 1.0);
    assert_eq!(
        app.webhooks_total("ignored", "workitem.commented").await,
        1.0
    );
    assert_eq!(app.webhooks_total("ignored", "other").await, 1.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_naming_no_work_item_is_answered_200_counted_and_not_published() {
    let app = spawn_app().await;
    let mut body = fixture("workitem.updated.minimal.json");
    body["resource"] = json!({"id": 3, "workItemId": 0, "rev": 3});
    let answer = app.deliver(&body).await;
    assert_eq!(
        answer.status, 200,
        "never a 4xx for a payload we merely dislike"
    );
    assert_eq!(answer.body["status"], "rejected");
    assert!(
        answer.body["reason"]
            .as_str()
            .is_some_and(|r| r.contains("work item id")),
        "{}",
        answer.text
    );
    assert!(app.events.settled(0).await.is_empty());
    assert_eq!(
        app.webhooks_total_with(&[
            ("outcome", "rejected"),
            ("event_type", "workitem.updated"),
            ("reason", "no_work_item_id"),
        ])
        .await,
        1.0
    );
    assert!(app.logs.text().contains("no work item id in the resource"));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_rejected_webhook_is_counted_under_its_reason() {
    let app = spawn_app().await;
    let update = fixture("workitem.updated.json");
    let mut no_event_type = update.clone();
    no_event_type
        .as_object_mut()
        .expect("object")
        .remove("eventType");
    let mut no_key = update.clone();
    for key in ["subscriptionId", "notificationId", "id"] {
        no_key.as_object_mut().expect("object").remove(key);
    }
    let mut no_work_item = update.clone();
    no_work_item["resource"] = Value::Null;
    let cases = [
        (no_event_type, "unknown", "no_event_type"),
        (no_key, "workitem.updated", "no_notification_key"),
        (no_work_item, "workitem.updated", "no_work_item_id"),
    ];
    for (body, _, reason) in &cases {
        let answer = app.deliver(body).await;
        assert_eq!(answer.status, 200, "{reason}: {}", answer.text);
        assert_eq!(
            answer.body["status"], "rejected",
            "{reason}: {}",
            answer.text
        );
    }
    for (_, event_type, reason) in &cases {
        let labels = [
            ("outcome", "rejected"),
            ("event_type", *event_type),
            ("reason", *reason),
        ];
        assert_eq!(app.webhooks_total_with(&labels).await, 1.0, "{reason}");
    }
    assert_eq!(
        app.webhooks_total_with(&[("outcome", "rejected")]).await,
        3.0
    );
    assert!(app.events.settled(0).await.is_empty(), "nothing published");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_in_several_pieces_is_read_whole_and_one_over_the_limit_is_413() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&fixture("workitem.updated.json")).expect("json");
    let (a, rest) = body.split_at(body.len() / 3);
    let (b, c) = rest.split_at(rest.len() / 2);
    let (status, answer) = app.post_chunked(&[a, b, c]).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("accepted"), "{answer}");
    let (_, envelope) = app.events.only_one().await;
    assert!(matches!(envelope.data, Event::AdoWorkItemUpdated(_)));
    assert_eq!(data(&envelope).work_item_id, 42, "the whole body was read");

    // No length declared, so only counting what arrives can refuse it.
    let piece = vec![b' '; 256 * 1024];
    let pieces: Vec<&[u8]> = (0..5).map(|_| piece.as_slice()).collect();
    let (status, answer) = app.post_chunked(&pieces).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    assert_eq!(
        app.events.settled(1).await.len(),
        1,
        "nothing more published"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_one_mebibyte_is_413_and_bad_json_is_400_with_the_reason() {
    let app = spawn_app().await;
    let big = vec![b' '; 1024 * 1024 + 1];
    let answer = app
        .post_raw(&app.integration_id, Some(&app.secret), big)
        .await;
    assert_eq!(answer.status, 413, "{}", answer.text);
    assert_eq!(answer.body["error"]["code"], "payload_too_large");

    let answer = app
        .post_raw(
            &app.integration_id,
            Some(&app.secret),
            b"{\"eventType\": ".to_vec(),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.body["error"]["code"], "invalid_json");
    let reason = answer.body["error"]["message"].as_str().unwrap_or_default();
    assert!(reason.contains("EOF"), "serde's reason is given: {reason}");

    let answer = app
        .post_raw(&app.integration_id, Some(&app.secret), b"[1, 2]".to_vec())
        .await;
    assert_eq!(answer.status, 400);
    assert!(answer.text.contains("JSON object"), "{}", answer.text);

    // Exactly the limit is fine (and, being blank, not JSON).
    let answer = app
        .post_raw(
            &app.integration_id,
            Some(&app.secret),
            vec![b' '; 1024 * 1024],
        )
        .await;
    assert_eq!(answer.status, 400);
    assert!(app.events.settled(0).await.is_empty());
    assert_eq!(app.webhooks_total("invalid", "unknown").await, 4.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_notification_delivered_twice_carries_the_same_event_id() {
    let app = spawn_app().await;
    let body = fixture("workitem.updated.json");
    for _ in 0..2 {
        assert_eq!(app.deliver(&body).await.status, 200);
    }
    let mut next: Value = body.clone();
    next["notificationId"] = json!(18);
    assert_eq!(app.deliver(&next).await.status, 200);

    let seen = app.events.settled(3).await;
    assert_eq!(seen.len(), 3);
    let ids: Vec<String> = seen
        .iter()
        .map(|m| {
            let envelope = navsync_contracts::decode(&m.body).expect("valid");
            assert_eq!(
                m.message_id.as_deref(),
                Some(envelope.id.to_string().as_str())
            );
            envelope.id.to_string()
        })
        .collect();
    assert_eq!(ids[0], ids[1], "a redelivery is the same event");
    assert_ne!(ids[0], ids[2], "another notification is another event");
}
