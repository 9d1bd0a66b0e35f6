//! Turning a notification into its `ado.work_item.*.v1` CloudEvent and publishing it with
//! a broker confirm. The event id is derived from the notification (UUIDv5 of the
//! integration, ADO's subscription and notification number), not drawn at random: ADO
//! delivers again whatever it did not see answered 2xx, and a redelivery must carry the
//! same id, so that consumers deduplicating on it apply it once.

use std::time::Duration;

use navsync_contracts::{AdoWorkItemEventV1, Envelope, Event, encode, source};
use navsync_messaging::{Coalescer, OutgoingMessage, PublishError};
use uuid::Uuid;

use crate::directory::Integration;
use crate::payload::{Kind, Notification};

/// The UUIDv5 namespace of event ids made by the ingress (a fixed random UUID).
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x4c0b_8f7e_2a61_4d39_9e57_1f0c_3b2a_6d84);

/// The event id of a notification received for an integration: the same for every
/// delivery of it, different for every other notification or integration.
pub fn event_id(integration_id: Uuid, notification: &Notification) -> Uuid {
    let name = format!(
        "{integration_id}/{}/{}",
        notification.key.subscription_id, notification.key.notification_id
    );
    Uuid::new_v5(&EVENT_ID_NAMESPACE, name.as_bytes())
}

/// The CloudEvent of `notification`, as SPEC §7 describes `navigator.ado-inbound`.
pub fn envelope(integration: &Integration, notification: Notification) -> Envelope<Event> {
    envelope_for(
        integration.id,
        integration.company_id,
        &integration.organization,
        notification,
    )
}

/// [`envelope`] for an integration known by its ids (the benchmark makes the ingress's
/// events without asking `integrations`).
pub fn envelope_for(
    integration_id: Uuid,
    company_id: Uuid,
    organization: &str,
    notification: Notification,
) -> Envelope<Event> {
    let id = event_id(integration_id, &notification);
    let time = notification.revised_at;
    let data = AdoWorkItemEventV1 {
        integration_id,
        company_id,
        organization: organization.to_owned(),
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
    let event = match notification.kind {
        Kind::Updated => Event::AdoWorkItemUpdated(data),
        Kind::Deleted => Event::AdoWorkItemDeleted(data),
        Kind::Restored => Event::AdoWorkItemRestored(data),
    };
    let mut envelope = Envelope::from_event(source::WEBHOOK_INGRESS, event);
    envelope.id = id;
    if let Some(time) = time {
        envelope.time = time;
    }
    envelope.traceparent = navsync_platform::telemetry::current_traceparent();
    envelope
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Breaks the event contract: publishing it would only fail every consumer.
    #[error("the event breaks the contract: {0}")]
    Contract(String),
    /// Not stored: the broker is away, refused it, or did not confirm in time.
    #[error("the broker did not store the event: {0}")]
    NotStored(String),
}

/// The message that carries `envelope` to `navigator.ado-inbound`.
pub fn message(envelope: &Envelope<Event>) -> Result<OutgoingMessage, SendError> {
    let body = encode(envelope).map_err(|e| SendError::Contract(e.to_string()))?;
    Ok(OutgoingMessage::cloud_event(
        envelope.exchange(),
        envelope.routing_key(),
        envelope.id.to_string(),
        body,
        envelope.traceparent.clone(),
    ))
}

/// Publishes with `mandatory` and a confirm; `Ok` only when the broker stored it.
pub async fn send(
    publisher: &Coalescer,
    envelope: &Envelope<Event>,
    timeout: Duration,
) -> Result<(), SendError> {
    let message = message(envelope)?;
    match tokio::time::timeout(timeout, publisher.publish(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err @ (PublishError::Unavailable(_) | PublishError::Nacked))) => {
            Err(SendError::NotStored(err.to_string()))
        }
        Ok(Err(err @ PublishError::Unroutable { .. })) => {
            // The topology is not (yet) declared: nothing would keep the event.
            Err(SendError::NotStored(err.to_string()))
        }
        Err(_) => Err(SendError::NotStored(format!(
            "no confirm within {} ms",
            timeout.as_millis()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::SecretDigest;
    use crate::payload::NotificationKey;
    use navsync_contracts::ResourceDetails;
    use std::collections::BTreeMap;

    fn notification(subscription: &str, number: i64) -> Notification {
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
        assert_eq!(env.routing_key(), "ado.work_item.updated.v1");
        assert_eq!(env.exchange(), "navigator.ado-inbound");
        assert_eq!(env.source, "/navsync/webhook-ingress");
        assert_eq!(env.subject.as_deref(), Some("42"));
        let decoded = navsync_contracts::decode(&encode(&env).expect("encodes")).expect("decodes");
        assert_eq!(decoded, env);
    }
}
