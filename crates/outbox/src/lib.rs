//! The transactional outbox: a service writes the events of a change into its own
//! `<schema>.outbox` table in the transaction of that change, and the [`Relay`] publishes
//! them afterwards with broker confirms. A change is therefore never committed without its
//! event, and an event never leaves for a change that was rolled back.
//!
//! Every service that publishes owns an identical table in its own schema (its migration
//! creates `<schema>.outbox` with the columns of [`PendingRow`] plus `aggregate_id` and
//! `created_at`); this crate holds the one implementation of writing, reading and
//! relaying it.

mod relay;
mod table;
mod trace;

pub use relay::{CHUNKS, Pass, Relay, RelayError, declare_topology};
pub use table::{NewRow, OutboxTable, PendingRow};

use navsync_contracts::{EncodeError, Envelope, Event, encode};

/// The outbox row of `envelope`, encoded and checked against the contract before it is
/// stored, so a bad event fails the change rather than every consumer later.
pub fn row_for(
    envelope: &Envelope<Event>,
    aggregate_id: uuid::Uuid,
) -> Result<NewRow, EncodeError> {
    let body = encode(envelope)?;
    Ok(NewRow {
        event_id: envelope.id,
        aggregate_id,
        exchange: envelope.exchange().to_owned(),
        routing_key: envelope.routing_key().to_owned(),
        body,
        // The trace of the change (the HTTP request, or the handler of an event) goes with
        // its event: the relay publishes it as the parent of its publish span.
        traceparent: envelope
            .traceparent
            .clone()
            .or_else(navsync_platform::telemetry::current_traceparent),
    })
}
