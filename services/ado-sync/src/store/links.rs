//! Rows of `ado_sync.links`: the action item ↔ work item link, what ado-sync knows ADO
//! holds, and the lease that gives one worker at a time the right to act on an item.
//!
//! The lease is a committed timestamp rather than a row lock, because the work it guards
//! includes HTTP calls to ADO that must not run inside an open transaction, and because the
//! create intent it records must survive a crash.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::links;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, AsChangeset)]
#[diesel(table_name = links)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[diesel(treat_none_as_null = true)]
pub struct LinkRow {
    pub action_item_id: Uuid,
    pub company_id: Uuid,
    pub integration_id: Uuid,
    pub organization: String,
    pub project: String,
    pub work_item_id: Option<i64>,
    pub work_item_url: Option<String>,
    pub state: String,
    pub create_attempted_at: Option<DateTime<Utc>>,
    pub last_synced_version: i64,
    pub lease_until: Option<DateTime<Utc>>,
    pub known_title: Option<String>,
    pub title_rev: Option<i64>,
    pub known_description: Option<String>,
    pub description_rev: Option<i64>,
    pub known_state: Option<String>,
    pub state_rev: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What ado-sync last set as the due date (`YYYY-MM-DD`, `""` cleared), if known.
    pub sent_due_date: Option<String>,
    /// What ado-sync last set as the assignee (an email, `""` unassigned), if known.
    pub sent_assignee: Option<String>,
    /// The revision of the newest change of the title made in ADO that was reported to
    /// Navigator (likewise for the description and the state).
    pub title_reported_rev: Option<i64>,
    pub description_reported_rev: Option<i64>,
    pub state_reported_rev: Option<i64>,
    /// The titles (descriptions as text, states) sent in writes ADO has not confirmed: see
    /// `crate::unconfirmed`.
    pub unconfirmed_titles: Vec<String>,
    pub unconfirmed_descriptions: Vec<String>,
    pub unconfirmed_states: Vec<String>,
}

pub const LINKED: &str = "linked";
pub const DELETED: &str = "deleted";
pub const GONE: &str = "gone";

/// Takes the lease on an action item's link, creating the link (state `creating`) when
/// there is none. `None` when another worker holds an unexpired lease.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    action_item_id: Uuid,
    company_id: Uuid,
    integration_id: Uuid,
    organization: &str,
    project: &str,
    until: DateTime<Utc>,
) -> QueryResult<Option<LinkRow>> {
    let rows: Vec<LinkRow> = diesel::sql_query(
        "INSERT INTO ado_sync.links \
           (action_item_id, company_id, integration_id, organization, project, lease_until) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (action_item_id) DO UPDATE SET lease_until = EXCLUDED.lease_until \
           WHERE links.lease_until IS NULL OR links.lease_until < now() \
         RETURNING *",
    )
    .bind::<SqlUuid, _>(action_item_id)
    .bind::<SqlUuid, _>(company_id)
    .bind::<SqlUuid, _>(integration_id)
    .bind::<Text, _>(organization)
    .bind::<Text, _>(project)
    .bind::<Timestamptz, _>(until)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next())
}

/// Takes the lease on an existing link found by its work item.
pub async fn claim_by_work_item(
    conn: &mut AsyncPgConnection,
    organization: &str,
    work_item_id: i64,
    until: DateTime<Utc>,
) -> QueryResult<Claimed> {
    let rows: Vec<LinkRow> = diesel::sql_query(
        "UPDATE ado_sync.links SET lease_until = $3 \
         WHERE organization = $1 AND work_item_id = $2 \
           AND (lease_until IS NULL OR lease_until < now()) \
         RETURNING *",
    )
    .bind::<Text, _>(organization)
    .bind::<diesel::sql_types::BigInt, _>(work_item_id)
    .bind::<Timestamptz, _>(until)
    .load(conn)
    .await?;
    if let Some(row) = rows.into_iter().next() {
        return Ok(Claimed::Ours(Box::new(row)));
    }
    let exists: i64 = links::table
        .filter(links::organization.eq(organization))
        .filter(links::work_item_id.eq(work_item_id))
        .count()
        .get_result(conn)
        .await?;
    Ok(if exists > 0 {
        Claimed::Busy
    } else {
        Claimed::Unknown
    })
}

pub enum Claimed {
    Ours(Box<LinkRow>),
    /// Another worker holds the lease.
    Busy,
    /// No link: not a work item navsync created.
    Unknown,
}

/// Saves the row and gives the lease back.
pub async fn save_and_release(conn: &mut AsyncPgConnection, row: &LinkRow) -> QueryResult<()> {
    let mut row = row.clone();
    row.lease_until = None;
    row.updated_at = navsync_platform::db::now();
    diesel::update(links::table.find(row.action_item_id))
        .set(&row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Saves the row and keeps the lease (the create intent must be durable before the call).
pub async fn save(conn: &mut AsyncPgConnection, row: &LinkRow) -> QueryResult<()> {
    diesel::update(links::table.find(row.action_item_id))
        .set(row)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Gives the lease back without other changes.
pub async fn release(conn: &mut AsyncPgConnection, action_item_id: Uuid) -> QueryResult<()> {
    diesel::update(links::table.find(action_item_id))
        .set(links::lease_until.eq(None::<DateTime<Utc>>))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Forgets a link whose work item was never created (ADO refused the create), so that the
/// next change of the item creates it afresh.
pub async fn delete_unlinked(
    conn: &mut AsyncPgConnection,
    action_item_id: Uuid,
) -> QueryResult<()> {
    diesel::delete(
        links::table
            .find(action_item_id)
            .filter(links::work_item_id.is_null()),
    )
    .execute(conn)
    .await
    .map(|_| ())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::LinkRow;

    /// A linked row that knows rev 1 of each field.
    pub(crate) fn row() -> LinkRow {
        let now = chrono::Utc::now();
        LinkRow {
            action_item_id: uuid::Uuid::nil(),
            company_id: uuid::Uuid::nil(),
            integration_id: uuid::Uuid::nil(),
            organization: "org".into(),
            project: "Alpha".into(),
            work_item_id: Some(7),
            work_item_url: None,
            state: super::LINKED.into(),
            create_attempted_at: None,
            last_synced_version: 1,
            lease_until: None,
            known_title: Some("Title".into()),
            title_rev: Some(1),
            known_description: Some("Text".into()),
            description_rev: Some(1),
            known_state: Some("New".into()),
            state_rev: Some(1),
            created_at: now,
            updated_at: now,
            sent_due_date: None,
            sent_assignee: None,
            title_reported_rev: None,
            description_reported_rev: None,
            state_reported_rev: None,
            unconfirmed_titles: Vec::new(),
            unconfirmed_descriptions: Vec::new(),
            unconfirmed_states: Vec::new(),
        }
    }
}
