//! Rows of `ado_sync.inbox`: service hook notifications already handled.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::schema::inbox;

pub async fn seen(
    conn: &mut AsyncPgConnection,
    subscription_id: &str,
    notification_id: i64,
) -> QueryResult<bool> {
    let n: i64 = inbox::table
        .filter(inbox::subscription_id.eq(subscription_id))
        .filter(inbox::notification_id.eq(notification_id))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

pub async fn record(
    conn: &mut AsyncPgConnection,
    subscription_id: &str,
    notification_id: i64,
) -> QueryResult<()> {
    diesel::insert_into(inbox::table)
        .values((
            inbox::subscription_id.eq(subscription_id),
            inbox::notification_id.eq(notification_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|_| ())
}
