//! The linked work items the reconciler checks, read from `ado_sync.links` a page at a
//! time (keyset on the work item id, so a long pass never skips or repeats a row).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::links;
use crate::store::links::{LINKED, LinkRow};

/// Companies with at least one linked work item.
pub async fn companies_with_links(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Uuid>> {
    links::table
        .filter(links::state.eq(LINKED))
        .filter(links::work_item_id.is_not_null())
        .select(links::company_id)
        .distinct()
        .load(conn)
        .await
}

/// Up to `limit` linked rows of `company_id` in `organization` whose work item id is
/// above `after`, by work item id.
pub async fn page(
    conn: &mut AsyncPgConnection,
    company_id: Uuid,
    organization: &str,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<LinkRow>> {
    links::table
        .filter(links::company_id.eq(company_id))
        .filter(links::organization.eq(organization))
        .filter(links::state.eq(LINKED))
        .filter(links::work_item_id.gt(after))
        .order(links::work_item_id.asc())
        .limit(limit)
        .select(LinkRow::as_select())
        .load(conn)
        .await
}
