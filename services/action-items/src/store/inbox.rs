//! Rows of `action_items.inbox`: which events from ado-sync were already applied.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::inbox;

/// Records `event_id`; false when it was already there (a redelivery to ignore). Call it
/// in the transaction that applies the event, so both happen or neither does.
pub async fn record(
    conn: &mut AsyncPgConnection,
    event_id: Uuid,
    event_type: &str,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(inbox::table)
        .values((
            inbox::event_id.eq(event_id),
            inbox::event_type.eq(event_type),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}
