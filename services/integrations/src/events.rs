//! `integration.changed.v1`, written to `integrations.outbox` in the transaction of the
//! change it reports, so `ado-sync` and `webhook-ingress` hear of every committed change
//! and of nothing that was rolled back. Never a secret: only what changed and the status.

use std::sync::LazyLock;

use diesel_async::AsyncPgConnection;
use navsync_contracts::{
    Envelope, Event, IntegrationChange, IntegrationChangedV1, integration_status, source,
};
use navsync_outbox::OutboxTable;
use navsync_platform::ApiError;

use crate::store::integrations::IntegrationRow;
use crate::view::status_of;

pub static OUTBOX: LazyLock<OutboxTable> = LazyLock::new(|| OutboxTable::new("integrations"));

/// Stores the event saying `change` happened to `row` (its state after the change).
pub async fn record(
    conn: &mut AsyncPgConnection,
    row: &IntegrationRow,
    change: IntegrationChange,
) -> Result<(), ApiError> {
    let status = match change {
        IntegrationChange::Deleted => integration_status::DELETED,
        _ => status_of(row),
    };
    let event = Event::IntegrationChanged(IntegrationChangedV1 {
        integration_id: row.id,
        company_id: row.company_id,
        change,
        status: status.to_owned(),
        reason: row.attention_reason.clone(),
    });
    let envelope = Envelope::from_event(source::INTEGRATIONS, event);
    let outbox_row = navsync_outbox::row_for(&envelope, row.id).map_err(ApiError::internal)?;
    OUTBOX.insert(conn, &outbox_row).await?;
    Ok(())
}
