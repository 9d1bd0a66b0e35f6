//! The action item as the API shows it (SPEC §6), and as events carry it (SPEC §7).

use chrono::{DateTime, NaiveDate, Utc};
use navsync_contracts::{ActionItemStatus, ActionItemV1, AdoRevisions, Origin};
use navsync_platform::openapi::string_enum;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};
use uuid::Uuid;

use crate::store::action_items::ActionItemRow;

/// The action item as the API shows it (SPEC §6).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ActionItem)]
pub struct ActionItemView {
    pub id: Uuid,
    pub company_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    #[schema(value_type = Status)]
    pub status: String,
    pub assignee_email: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub sync_to_ado: bool,
    /// Grows by one with every change; `If-Match` takes it.
    #[schema(minimum = 1)]
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Absent (null) for an item that is not synced and never was.
    pub ado: Option<AdoView>,
}

/// A page of the company's action items, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionItemList {
    pub items: Vec<ActionItemView>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// The schema of an action item status: exactly what [`status_str`] writes.
pub struct Status;

impl utoipa::PartialSchema for Status {
    fn schema() -> RefOr<Schema> {
        let all = [
            ActionItemStatus::NotStarted,
            ActionItemStatus::InProgress,
            ActionItemStatus::Done,
        ]
        .map(status_str);
        string_enum(&all).into()
    }
}

impl ToSchema for Status {}

/// The sync states a row may hold (a CHECK constraint of the table).
pub const SYNC_STATES: [&str; 4] = ["pending", "synced", "failed", "paused"];

fn sync_state_schema() -> utoipa::openapi::ObjectBuilder {
    string_enum(&SYNC_STATES)
}

/// The action item's ADO side.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AdoSync)]
pub struct AdoView {
    pub work_item_id: Option<i64>,
    pub url: Option<String>,
    #[schema(schema_with = sync_state_schema)]
    pub sync_state: String,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// What did not go along with the last successful sync (e.g. the assignee); absent
    /// when nothing, so the block keeps SPEC §6's shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

impl From<ActionItemRow> for ActionItemView {
    fn from(row: ActionItemRow) -> Self {
        let ado = (row.sync_to_ado || row.ado_work_item_id.is_some()).then(|| AdoView {
            work_item_id: row.ado_work_item_id,
            url: row.ado_url.clone(),
            sync_state: row.ado_sync_state.clone(),
            last_synced_at: row.ado_last_synced_at,
            error: row.ado_error.clone(),
            warning: row.ado_warning.clone(),
        });
        Self {
            id: row.id,
            company_id: row.company_id,
            title: row.title,
            description: row.description,
            status: row.status,
            assignee_email: row.assignee_email,
            due_date: row.due_date,
            sync_to_ado: row.sync_to_ado,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            ado,
        }
    }
}

pub fn status_str(status: ActionItemStatus) -> &'static str {
    match status {
        ActionItemStatus::NotStarted => "not_started",
        ActionItemStatus::InProgress => "in_progress",
        ActionItemStatus::Done => "done",
    }
}

/// Rows only ever hold the three statuses (a CHECK constraint); anything else reads as
/// `not_started` rather than failing an event.
pub fn status_of(text: &str) -> ActionItemStatus {
    match text {
        "in_progress" => ActionItemStatus::InProgress,
        "done" => ActionItemStatus::Done,
        _ => ActionItemStatus::NotStarted,
    }
}

pub fn event_data(row: &ActionItemRow, origin: Origin) -> ActionItemV1 {
    ActionItemV1 {
        id: row.id,
        company_id: row.company_id,
        title: row.title.clone(),
        description: row.description.clone(),
        status: status_of(&row.status),
        assignee_email: row.assignee_email.clone(),
        due_date: row.due_date,
        version: row.version,
        sync_to_ado: row.sync_to_ado,
        origin,
        created_at: row.created_at,
        updated_at: row.updated_at,
        ado_revisions: AdoRevisions {
            title: row.ado_title_rev,
            description: row.ado_description_rev,
            status: row.ado_status_rev,
        },
    }
}
