//! Turns a change of an action item into its outbox row: the CloudEvent, encoded and
//! checked against the contract before it is stored, so a bad event fails the request
//! rather than every consumer later.

use navsync_contracts::{ActionItemUpdatedV1, Envelope, Event, Origin, encode, source};
use navsync_platform::ApiError;

use crate::store::action_items::ActionItemRow;
use crate::store::outbox::NewOutboxRow;
use crate::view::event_data;

pub enum Change {
    Created,
    Updated { changed_fields: Vec<String> },
    Deleted,
}

pub fn outbox_row(
    row: &ActionItemRow,
    change: Change,
    origin: Origin,
) -> Result<NewOutboxRow, ApiError> {
    let data = event_data(row, origin);
    let event = match change {
        Change::Created => Event::ActionItemCreated(data),
        Change::Updated { changed_fields } => Event::ActionItemUpdated(ActionItemUpdatedV1 {
            item: data,
            changed_fields,
        }),
        Change::Deleted => Event::ActionItemDeleted(data),
    };
    let envelope = Envelope::from_event(source::ACTION_ITEMS, event);
    let body = encode(&envelope).map_err(ApiError::internal)?;
    Ok(NewOutboxRow {
        event_id: envelope.id,
        aggregate_id: row.id,
        exchange: envelope.exchange().to_owned(),
        routing_key: envelope.routing_key().to_owned(),
        body,
        traceparent: envelope.traceparent.clone(),
    })
}
