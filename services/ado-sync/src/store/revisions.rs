//! Rows of `ado_sync.written_revisions`: the revisions ado-sync wrote, so that their
//! service hook echoes are recognised and dropped (ADO fires hooks for our own writes).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::schema::written_revisions;

pub async fn record(
    conn: &mut AsyncPgConnection,
    organization: &str,
    work_item_id: i64,
    rev: i64,
) -> QueryResult<()> {
    diesel::insert_into(written_revisions::table)
        .values((
            written_revisions::organization.eq(organization),
            written_revisions::work_item_id.eq(work_item_id),
            written_revisions::rev.eq(rev),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn is_ours(
    conn: &mut AsyncPgConnection,
    organization: &str,
    work_item_id: i64,
    rev: i64,
) -> QueryResult<bool> {
    let n: i64 = written_revisions::table
        .filter(written_revisions::organization.eq(organization))
        .filter(written_revisions::work_item_id.eq(work_item_id))
        .filter(written_revisions::rev.eq(rev))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}
