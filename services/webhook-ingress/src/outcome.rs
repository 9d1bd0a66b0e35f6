//! What became of a webhook, counted in `webhooks_total{outcome, event_type}` (and
//! `reason` for a rejected one), and when each integration last called
//! (`webhook_last_received_timestamp_seconds`), for the "ADO stopped calling us" alert.

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Published and confirmed by the broker: 200.
    Accepted,
    /// An event type we do not publish: 200.
    Ignored,
    /// One of ours but unusable (no work item id, ...): 200, logged with the reason.
    Rejected,
    /// The integration is disabled: 200, dropped.
    Disabled,
    /// Wrong or missing credentials, unknown integration: 401.
    Unauthorized,
    /// Over the integration's rate: 503.
    RateLimited,
    /// We could not store it (broker) or check it (integrations): 503.
    Unavailable,
    /// Not a JSON object, or over the size limit: 400 / 413.
    Invalid,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Ignored => "ignored",
            Self::Rejected => "rejected",
            Self::Disabled => "disabled",
            Self::Unauthorized => "unauthorized",
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Invalid => "invalid",
        }
    }
}

/// Why one of our event types could not be used: a fixed set, so that the `reason` label
/// of `webhooks_total{outcome="rejected"}` stays bounded whatever a sender writes (the
/// full reason goes to the log and the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// The body has no `eventType`.
    NoEventType,
    /// Neither subscription and notification ids nor an event id: cannot be deduplicated.
    NoNotificationKey,
    /// No work item id in the resource (or resource details `none`).
    NoWorkItemId,
    /// Read, but the event it makes breaks the `ado.work_item.*.v1` contract. The parser
    /// already drops what the contract refuses (a revision below 1, ...), so this is the
    /// guard for a contract that grows stricter, not a path a body takes today.
    BreaksContract,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoEventType => "no_event_type",
            Self::NoNotificationKey => "no_notification_key",
            Self::NoWorkItemId => "no_work_item_id",
            Self::BreaksContract => "breaks_contract",
        }
    }
}

/// Counts one rejected webhook, with why.
pub fn count_rejected(event_type: &'static str, reason: RejectReason) {
    metrics::counter!(
        "webhooks_total",
        "outcome" => Outcome::Rejected.as_str(),
        "event_type" => event_type,
        "reason" => reason.as_str()
    )
    .increment(1);
}

/// Counts one webhook (a rejected one through [`count_rejected`]). `event_type` comes from
/// a fixed set (see [`crate::payload::event_type_label`]), `unknown` before the body is
/// read.
pub fn count(outcome: Outcome, event_type: &'static str) {
    handles::counter(outcome, event_type, |c| c.increment(1));
}

/// Notes that an authenticated call of `integration` arrived now. Only authenticated
/// calls, so the label set is the set of real integrations.
pub fn received(integration: Uuid) {
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    handles::last_received(integration, |g| g.set(now));
}

/// The series of the two metrics above, kept per thread (see
/// [`navsync_platform::kept_handles`]): looking one up builds and hashes its label set
/// (and, for the gauge, writes the integration id out) on every webhook. Both sets are
/// bounded — outcomes by event types, the integrations that call.
mod handles {
    use metrics::{Counter, Gauge};
    use navsync_platform::kept_handles::Kept;
    use uuid::Uuid;

    use super::Outcome;

    thread_local! {
        static COUNTERS: Kept<(Outcome, &'static str), Counter> = const { Kept::new(256) };
        static GAUGES: Kept<Uuid, Gauge> = const { Kept::new(256) };
    }

    pub(super) fn counter(
        outcome: Outcome,
        event_type: &'static str,
        use_it: impl FnOnce(&Counter),
    ) {
        COUNTERS.with(|kept| {
            kept.with(
                |(o, e)| *o == outcome && *e == event_type,
                || {
                    let counter = metrics::counter!(
                        "webhooks_total",
                        "outcome" => outcome.as_str(),
                        "event_type" => event_type
                    );
                    ((outcome, event_type), counter)
                },
                use_it,
            );
        });
    }

    pub(super) fn last_received(integration: Uuid, use_it: impl FnOnce(&Gauge)) {
        GAUGES.with(|kept| {
            kept.with(
                |id| *id == integration,
                || {
                    let gauge = metrics::gauge!(
                        "webhook_last_received_timestamp_seconds",
                        "integration_id" => integration.to_string()
                    );
                    (integration, gauge)
                },
                use_it,
            );
        });
    }
}
