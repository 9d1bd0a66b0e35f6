//! What the contract tests share: realistic events of every type, as the producers would
//! build them, and access to the JSON Schemas in `proto-schemas/`. Kept apart from the
//! tests so that `contract.rs` reads as a list of promises.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use navsync_contracts::{
    ActionItemChangedInAdoV1, ActionItemDeletedInAdoV1, ActionItemStatus, ActionItemSyncFailedV1,
    ActionItemSyncedV1, ActionItemUpdatedV1, ActionItemV1, AdoChanges, AdoWorkItemEventV1,
    Envelope, Event, FieldChange, FieldValue, IntegrationChange, IntegrationChangedV1, Origin,
    ResourceDetails, SyncError, changed_field, integration_status, source,
};
use serde_json::{Value, json};
use uuid::Uuid;

pub const ENVELOPE_SCHEMA: &str = "cloudevent.envelope.schema.json";

pub fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto-schemas")
}

/// The file that holds the schema of one event type.
pub fn schema_file(event_type: &str) -> String {
    format!("{event_type}.schema.json")
}

pub fn load_schema(file: &str) -> Value {
    let path = schemas_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"))
}

/// A draft 2020-12 validator that also checks `format` (uuid, date-time, date), which the
/// draft leaves optional but the contract means.
pub fn validator(file: &str) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&load_schema(file))
        .unwrap_or_else(|e| panic!("{file} does not compile: {e}"))
}

/// Every complaint of the schema as (JSON pointer of the instance, message).
pub fn schema_errors(file: &str, instance: &Value) -> Vec<(String, String)> {
    let validator = validator(file);
    validator
        .iter_errors(instance)
        .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
        .collect()
}

fn id(text: &str) -> Uuid {
    Uuid::parse_str(text).expect("a literal UUID")
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a literal RFC 3339 time")
}

pub fn company() -> Uuid {
    id("0190f6a2-3c4d-7e8f-9a0b-1c2d3e4f5a6b")
}

fn action_item_id() -> Uuid {
    id("0191a7b3-4d5e-7f80-8b1c-2d3e4f5a6b7c")
}

fn integration() -> Uuid {
    id("0190f6a2-9999-7aaa-8bbb-cccdddeeefff")
}

pub fn action_item() -> ActionItemV1 {
    ActionItemV1 {
        id: action_item_id(),
        company_id: company(),
        title: "Prepare the quarterly retrospective".into(),
        description: Some("Collect the team's notes & book a room <2h>.".into()),
        status: ActionItemStatus::InProgress,
        assignee_email: Some("dana.ortiz@example.com".into()),
        due_date: NaiveDate::from_ymd_opt(2026, 12, 15),
        version: 3,
        sync_to_ado: true,
        origin: Origin::Navigator,
        created_at: at("2026-11-20T09:30:00Z"),
        updated_at: at("2026-11-29T14:05:12.345678Z"),
        // A title and a status applied from ADO, so the schemas' copies are exercised.
        ado_revisions: navsync_contracts::AdoRevisions {
            title: Some(3),
            description: None,
            status: Some(5),
        },
    }
}

fn ado_event(changed: bool, details: ResourceDetails) -> AdoWorkItemEventV1 {
    let changed_fields = if changed {
        BTreeMap::from([
            (
                "System.State".to_owned(),
                FieldChange {
                    old_value: Some(json!("To Do")),
                    new_value: Some(json!("Doing")),
                },
            ),
            (
                "System.Rev".to_owned(),
                FieldChange {
                    old_value: Some(json!(4)),
                    new_value: Some(json!(5)),
                },
            ),
        ])
    } else {
        BTreeMap::new()
    };
    let fields = (details == ResourceDetails::All).then(|| {
        BTreeMap::from([
            ("System.Title".to_owned(), json!("Prepare the retro")),
            ("System.State".to_owned(), json!("Doing")),
            ("System.Rev".to_owned(), json!(5)),
        ])
    });
    AdoWorkItemEventV1 {
        integration_id: integration(),
        company_id: company(),
        organization: "p2anav-dev".into(),
        work_item_id: 4711,
        rev: Some(5),
        subscription_id: "00ca946b-2fe9-4f2a-ae2f-40d5c48001bc".into(),
        notification_id: 12,
        event_id: Some("7c4e8f5a-3b2d-4e1f-9a8b-6c5d4e3f2a1b".into()),
        changed_fields,
        fields,
        revised_by: Some("Dana Ortiz <dana.ortiz@example.com>".into()),
        revised_at: Some(at("2026-11-29T14:07:00.17Z")),
        resource_details: details,
    }
}

/// One realistic event of every type, wrapped as its producer would.
pub fn examples() -> Vec<Envelope<Event>> {
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let deleted = ActionItemV1 {
        version: 4,
        ..action_item()
    };
    let from_ado = ActionItemUpdatedV1 {
        item: ActionItemV1 {
            status: ActionItemStatus::Done,
            origin: Origin::Ado,
            version: 5,
            description: None,
            assignee_email: None,
            due_date: None,
            ..action_item()
        },
        changed_fields: vec![
            changed_field::STATUS.into(),
            changed_field::DESCRIPTION.into(),
        ],
    };
    vec![
        Envelope::from_event(
            source::ACTION_ITEMS,
            Event::ActionItemCreated(action_item()),
        )
        .with_traceparent(traceparent),
        Envelope::from_event(source::ACTION_ITEMS, Event::ActionItemUpdated(from_ado)),
        Envelope::from_event("/navigator/meetings", Event::ActionItemDeleted(deleted)),
        Envelope::from_event(
            source::WEBHOOK_INGRESS,
            Event::AdoWorkItemUpdated(ado_event(true, ResourceDetails::All)),
        )
        .with_traceparent(traceparent),
        Envelope::from_event(
            source::WEBHOOK_INGRESS,
            Event::AdoWorkItemDeleted(AdoWorkItemEventV1 {
                rev: None,
                ..ado_event(false, ResourceDetails::Minimal)
            }),
        ),
        Envelope::from_event(
            source::WEBHOOK_INGRESS,
            Event::AdoWorkItemRestored(ado_event(false, ResourceDetails::None)),
        ),
        Envelope::from_event(
            source::ADO_SYNC,
            Event::ActionItemSynced(ActionItemSyncedV1 {
                action_item_id: action_item_id(),
                company_id: company(),
                work_item_id: 4711,
                url: "https://dev.azure.com/p2anav-dev/Retro/_workitems/edit/4711".into(),
                rev: 2,
                version: 3,
                synced_at: at("2026-11-29T14:05:13Z"),
                warnings: vec![SyncError {
                    code: "assignee_not_in_ado".into(),
                    message: "Synced without the assignee.".into(),
                }],
            }),
        ),
        Envelope::from_event(
            source::ADO_SYNC,
            Event::ActionItemSyncFailed(ActionItemSyncFailedV1 {
                action_item_id: action_item_id(),
                company_id: company(),
                work_item_id: None,
                version: 1,
                error: SyncError {
                    code: "pat_rejected".into(),
                    message: "Azure DevOps rejected the Personal Access Token".into(),
                },
                paused: true,
                failed_at: at("2026-11-29T14:05:13Z"),
            }),
        ),
        Envelope::from_event(
            source::ADO_SYNC,
            Event::ActionItemChangedInAdo(ActionItemChangedInAdoV1 {
                action_item_id: action_item_id(),
                company_id: company(),
                work_item_id: 4711,
                rev: 5,
                changes: AdoChanges {
                    title: None,
                    description: Some(FieldValue {
                        value: None,
                        rev: 4,
                    }),
                    status: Some(FieldValue {
                        value: ActionItemStatus::Done,
                        rev: 5,
                    }),
                },
                changed_by: Some("Dana Ortiz <dana.ortiz@example.com>".into()),
                changed_at: at("2026-11-29T14:07:00.17Z"),
            }),
        ),
        Envelope::from_event(
            source::ADO_SYNC,
            Event::ActionItemDeletedInAdo(ActionItemDeletedInAdoV1 {
                action_item_id: action_item_id(),
                company_id: company(),
                work_item_id: 4711,
                rev: Some(6),
                deleted_by: None,
                deleted_at: at("2026-11-30T08:00:00Z"),
            }),
        ),
        Envelope::from_event(
            source::INTEGRATIONS,
            Event::IntegrationChanged(IntegrationChangedV1 {
                integration_id: integration(),
                company_id: company(),
                change: IntegrationChange::NeedsAttention,
                status: integration_status::NEEDS_ATTENTION.into(),
                reason: Some("pat_rejected".into()),
            }),
        ),
    ]
}

/// The example of one type, as JSON to break in a test.
pub fn example_json(event_type: &str) -> Value {
    let env = examples()
        .into_iter()
        .find(|e| e.event_type == event_type)
        .unwrap_or_else(|| panic!("no example of {event_type}"));
    serde_json::to_value(&env).expect("an example serializes")
}
