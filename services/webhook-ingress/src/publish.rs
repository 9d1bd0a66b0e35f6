//! Turning a notification into its `ado.work_item.*.v1` CloudEvent and publishing it with
//! a broker confirm. The event id is derived from the notification (UUIDv5 of the
//! integration, ADO's subscription and notification number), not drawn at random: ADO
//! delivers again whatever it did not see answered 2xx, and a redelivery must carry the
//! same id, so that consumers deduplicating on it apply it once.

use std::time::Duration;

use std::borrow::Cow;

use navsync_contracts::{Envelope, RawAdoWorkItemEventV1, encode_ado_work_item, source};
use navsync_messaging::{Coalescer, OutgoingMessage, PublishError};
use uuid::Uuid;

use crate::directory::Integration;
use crate::payload::Notification;

/// The UUIDv5 namespace of event ids made by the ingress (a fixed random UUID).
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x4c0b_8f7e_2a61_4d39_9e57_1f0c_3b2a_6d84);

/// The event id of a notification received for an integration: the same for every
/// delivery of it, different for every other notification or integration.
pub fn event_id(integration_id: Uuid, notification: &Notification<'_>) -> Uuid {
    // `{integration_id}/{subscription_id}/{notification_id}`, put together by hand: the
    // id is made for every webhook, and `format!` cost more than the hash.
    let subscription = notification.key.subscription_id.as_bytes();
    let mut number = itoa::Buffer::new();
    let number = number.format(notification.key.notification_id).as_bytes();
    let mut name = Vec::with_capacity(36 + 2 + subscription.len() + number.len());
    name.extend_from_slice(
        integration_id
            .hyphenated()
            .encode_lower(&mut Uuid::encode_buffer())
            .as_bytes(),
    );
    name.push(b'/');
    name.extend_from_slice(subscription);
    name.push(b'/');
    name.extend_from_slice(number);
    Uuid::new_v5(&EVENT_ID_NAMESPACE, &name)
}

/// The event the ingress publishes: ADO's values as they came (see
/// [`navsync_contracts::RawAdoWorkItemEventV1`]).
pub type AdoEvent<'a> = Envelope<RawAdoWorkItemEventV1<'a>>;

/// The CloudEvent of `notification`, as SPEC §7 describes `navigator.ado-inbound`.
pub fn envelope<'a>(integration: &'a Integration, notification: Notification<'a>) -> AdoEvent<'a> {
    envelope_for(
        integration.id,
        integration.company_id,
        &integration.organization,
        notification,
    )
}

/// [`envelope`] for an integration known by its ids (the benchmark makes the ingress's
/// events without asking `integrations`).
pub fn envelope_for<'a>(
    integration_id: Uuid,
    company_id: Uuid,
    organization: &'a str,
    notification: Notification<'a>,
) -> AdoEvent<'a> {
    let id = event_id(integration_id, &notification);
    let time = notification.revised_at;
    let kind = notification.kind;
    let data = RawAdoWorkItemEventV1 {
        integration_id,
        company_id,
        organization: Cow::Borrowed(organization),
        work_item_id: notification.work_item_id,
        rev: notification.rev,
        subscription_id: notification.key.subscription_id,
        notification_id: notification.key.notification_id,
        event_id: notification.event_id,
        changed_fields: notification.changed_fields,
        fields: notification.fields,
        revised_by: notification.revised_by,
        revised_at: notification.revised_at,
        resource_details: notification.resource_details,
    };
    let mut envelope = Envelope::ado_work_item(source::WEBHOOK_INGRESS, kind, id, data);
    if let Some(time) = time {
        envelope.time = time;
    }
    envelope.traceparent = navsync_platform::telemetry::current_traceparent();
    envelope
}

/// The event breaks the contract: publishing it would only fail every consumer.
#[derive(Debug, thiserror::Error)]
#[error("the event breaks the contract: {0}")]
pub struct BreaksContract(pub String);

/// Not stored: the broker is away, refused it, or did not confirm in time.
#[derive(Debug, thiserror::Error)]
#[error("the broker did not store the event: {0}")]
pub struct NotStored(pub String);

/// The message that carries `envelope` to `navigator.ado-inbound`.
pub fn message(envelope: &AdoEvent<'_>) -> Result<OutgoingMessage, BreaksContract> {
    let body = encode_ado_work_item(envelope).map_err(|e| BreaksContract(e.to_string()))?;
    Ok(OutgoingMessage::cloud_event(
        envelope.exchange(),
        &envelope.event_type,
        envelope.id.to_string(),
        body,
        envelope.traceparent.clone(),
    ))
}

/// Publishes with `mandatory` and a confirm; `Ok` only when the broker stored it.
pub async fn send(
    publisher: &Coalescer,
    message: OutgoingMessage,
    timeout: Duration,
) -> Result<(), NotStored> {
    match tokio::time::timeout(timeout, publisher.publish(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err @ (PublishError::Unavailable(_) | PublishError::Nacked))) => {
            Err(NotStored(err.to_string()))
        }
        Ok(Err(err @ PublishError::Unroutable { .. })) => {
            // The topology is not (yet) declared: nothing would keep the event.
            Err(NotStored(err.to_string()))
        }
        Err(_) => Err(NotStored(format!(
            "no confirm within {} ms",
            timeout.as_millis()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::SecretDigest;
    use crate::payload::{Kind, NotificationKey};
    use navsync_contracts::ResourceDetails;
    use std::collections::BTreeMap;

    fn notification(subscription: &str, number: i64) -> Notification<'static> {
        Notification {
            kind: Kind::Updated,
            key: NotificationKey {
                subscription_id: subscription.into(),
                notification_id: number,
            },
            work_item_id: 42,
            rev: Some(3),
            event_id: None,
            changed_fields: BTreeMap::new(),
            fields: None,
            revised_by: None,
            revised_at: None,
            resource_details: ResourceDetails::Minimal,
        }
    }

    #[test]
    fn the_event_id_is_the_uuidv5_of_integration_subscription_and_number() {
        // The ids of events already published must not change: the name is fixed.
        let integration = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let expected = Uuid::new_v5(
            &EVENT_ID_NAMESPACE,
            b"01234567-89ab-cdef-0123-456789abcdef/sub-1/-42",
        );
        assert_eq!(event_id(integration, &notification("sub-1", -42)), expected);
    }

    #[test]
    fn the_event_id_depends_on_the_notification_and_the_integration_only() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let id = event_id(a, &notification("s", 1));
        assert_eq!(id, event_id(a, &notification("s", 1)));
        assert_eq!(id.get_version_num(), 5);
        assert_ne!(id, event_id(a, &notification("s", 2)));
        assert_ne!(id, event_id(a, &notification("t", 1)));
        assert_ne!(id, event_id(b, &notification("s", 1)));
    }

    #[test]
    fn the_envelope_is_a_valid_ado_inbound_event() {
        let integration = Integration {
            id: Uuid::new_v4(),
            company_id: Uuid::new_v4(),
            organization: "p2anav-dev".into(),
            enabled: true,
            secret: SecretDigest::of("x"),
        };
        let env = envelope(&integration, notification("s", 1));
        let message = message(&env).expect("a message");
        assert_eq!(message.routing_key, "ado.work_item.updated.v1");
        assert_eq!(message.exchange, "navigator.ado-inbound");
        let decoded = navsync_contracts::decode(&message.body).expect("decodes");
        assert_eq!(decoded.event_type, "ado.work_item.updated.v1");
        assert_eq!(decoded.source, "/navsync/webhook-ingress");
        assert_eq!(decoded.subject.as_deref(), Some("42"));
        assert_eq!(decoded.id, env.id);
        assert_eq!(message.message_id, env.id.to_string());
    }

    #[test]
    fn ado_sync_reads_ados_values_exactly_as_the_delivery_carried_them() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/real-2021-workitem.updated.json"
        );
        let bytes = std::fs::read(path).expect("fixture");
        let delivery: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        let mut spare = None;
        let body = crate::payload::Body::read(&bytes, &mut spare).expect("reads");
        let crate::payload::Parsed::Publish(n) = crate::payload::parse(body) else {
            panic!("not published")
        };
        let env = envelope_for(Uuid::new_v4(), Uuid::new_v4(), "org", *n);
        let decoded =
            navsync_contracts::decode(&message(&env).expect("message").body).expect("decodes");
        let navsync_contracts::Event::AdoWorkItemUpdated(data) = decoded.data else {
            panic!("not an update: {:?}", decoded.data)
        };
        let sent = delivery["resource"]["fields"].as_object().expect("changes");
        assert_eq!(data.changed_fields.len(), sent.len());
        for (name, change) in sent {
            let side = |key: &str| change.get(key).filter(|v| !v.is_null()).cloned();
            assert_eq!(
                data.changed_fields[name].old_value,
                side("oldValue"),
                "{name}"
            );
            assert_eq!(
                data.changed_fields[name].new_value,
                side("newValue"),
                "{name}"
            );
        }
        let fields = serde_json::to_value(data.fields.expect("fields")).expect("json");
        assert_eq!(fields, delivery["resource"]["revision"]["fields"]);
    }
}
