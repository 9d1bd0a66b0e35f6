//! `action_items.outbox`: the events of action item changes, written in the transaction of
//! the change and published by the relay (`navsync-outbox` holds both halves).

use std::sync::LazyLock;

use diesel_async::AsyncPgConnection;
pub use navsync_outbox::NewRow as NewOutboxRow;
use navsync_outbox::OutboxTable;

pub static TABLE: LazyLock<OutboxTable> = LazyLock::new(|| OutboxTable::new("action_items"));

pub async fn insert(conn: &mut AsyncPgConnection, row: &NewOutboxRow) -> diesel::QueryResult<()> {
    TABLE.insert(conn, row).await
}
