//! The CloudEvents 1.0 envelope (JSON structured mode) that is the body of every AMQP
//! message navsync publishes or consumes. It is generic over `data` so that the codec can
//! deserialize straight into the right data type once it has read `type`; services use
//! `Envelope<Event>`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::event::Event;

/// The only CloudEvents version navsync speaks.
pub const SPEC_VERSION: &str = "1.0";
/// `datacontenttype` of every event: `data` is always a JSON object.
pub const DATA_CONTENT_TYPE: &str = "application/json";

/// A CloudEvent. Field names are the CloudEvents attribute names, so serde's output is the
/// wire format as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// [`SPEC_VERSION`].
    pub specversion: String,
    /// The event id, also the AMQP `message_id`; consumers deduplicate on it. UUIDv7, so
    /// ids sort by creation time in inbox tables and logs.
    pub id: Uuid,
    /// Who published: one of [`crate::source`] or another Navigator service's URI.
    pub source: String,
    /// The routing key, e.g. `action_item.created.v1`; decides the type of `data`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The action item id or work item id as text, so a broker-side filter or a log line
    /// can tell events about one thing apart without reading `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// When the change happened (RFC 3339).
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub time: DateTime<Utc>,
    /// [`DATA_CONTENT_TYPE`].
    pub datacontenttype: String,
    /// W3C trace context (CloudEvents distributed tracing extension). Also sent as an AMQP
    /// header; kept here too so the trace survives the outbox, where headers do not exist
    /// yet. A malformed value is not an error: the consumer just starts a new trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    pub data: T,
}

impl Envelope<Event> {
    /// A new event published now by `source`, with a fresh time-ordered id and the `type`
    /// taken from the event itself, so the two cannot disagree.
    pub fn new(source: impl Into<String>, event: Event, subject: Option<String>) -> Self {
        Self {
            specversion: SPEC_VERSION.to_owned(),
            id: Uuid::now_v7(),
            source: source.into(),
            event_type: event.event_type().to_owned(),
            subject,
            time: Utc::now(),
            datacontenttype: DATA_CONTENT_TYPE.to_owned(),
            traceparent: None,
            data: event,
        }
    }

    /// Like [`Envelope::new`], with the subject every navsync producer uses for this kind
    /// of event ([`Event::subject`]).
    pub fn from_event(source: impl Into<String>, event: Event) -> Self {
        let subject = Some(event.subject());
        Self::new(source, event, subject)
    }

    /// The routing key to publish with (equal to `type`).
    pub fn routing_key(&self) -> &'static str {
        self.data.event_type()
    }

    /// The exchange to publish to.
    pub fn exchange(&self) -> &'static str {
        self.data.exchange()
    }
}

impl<T> Envelope<T> {
    /// Attaches the W3C `traceparent` of the span that produced the event.
    pub fn with_traceparent(mut self, traceparent: impl Into<String>) -> Self {
        self.traceparent = Some(traceparent.into());
        self
    }

    /// The same envelope around other data; the codec reads `Envelope<ActionItemV1>` and
    /// turns it into `Envelope<Event>` this way.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Envelope<U> {
        Envelope {
            specversion: self.specversion,
            id: self.id,
            source: self.source,
            event_type: self.event_type,
            subject: self.subject,
            time: self.time,
            datacontenttype: self.datacontenttype,
            traceparent: self.traceparent,
            data: f(self.data),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::{IntegrationChange, IntegrationChangedV1, integration_status};
    use crate::routing::{exchange, routing_key, source};

    fn integration_changed() -> Event {
        Event::IntegrationChanged(IntegrationChangedV1 {
            integration_id: Uuid::nil(),
            company_id: Uuid::nil(),
            change: IntegrationChange::Enabled,
            status: integration_status::ACTIVE.into(),
            reason: None,
        })
    }

    #[test]
    fn a_new_envelope_fills_the_cloudevents_attributes() {
        let env = Envelope::new(source::INTEGRATIONS, integration_changed(), None);
        assert_eq!(env.specversion, "1.0");
        assert_eq!(env.datacontenttype, "application/json");
        assert_eq!(env.event_type, routing_key::INTEGRATION_CHANGED_V1);
        assert_eq!(env.routing_key(), routing_key::INTEGRATION_CHANGED_V1);
        assert_eq!(env.exchange(), exchange::INTEGRATIONS);
        assert_eq!(env.id.get_version_num(), 7);
        assert_eq!(env.traceparent, None);
    }

    #[test]
    fn absent_subject_and_traceparent_are_left_out_of_the_json() {
        let env = Envelope::new(source::INTEGRATIONS, integration_changed(), None);
        let json = serde_json::to_value(&env).expect("serializes");
        assert!(json.get("subject").is_none());
        assert!(json.get("traceparent").is_none());
        assert_eq!(json["type"], "integration.changed.v1");
    }

    #[test]
    fn from_event_uses_the_events_own_subject() {
        let env = Envelope::from_event(source::INTEGRATIONS, integration_changed())
            .with_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assert_eq!(
            env.subject.as_deref(),
            Some(Uuid::nil().to_string().as_str())
        );
        let json = serde_json::to_value(&env).expect("serializes");
        assert_eq!(
            json["traceparent"],
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        );
    }
}
