//! Turns a change of an action item into its outbox row: the CloudEvent, encoded and
//! checked against the contract before it is stored, so a bad event fails the request
//! rather than every consumer later.

use navsync_contracts::{ActionItemUpdatedV1, Envelope, Event, Origin, source};
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
    navsync_outbox::row_for(&envelope, row.id).map_err(ApiError::internal)
}
