//! Changing work items the way ADO does: a JSON Patch applied to a draft
//! ([`super::apply`]), the process's rules checked on the result, and only then one new
//! revision with its bookkeeping (`System.Rev`, `ChangedDate`, `Watermark`, ...). A
//! failing `test` or rule leaves the work item untouched — ADO rejects the whole patch.
//!
//! Every committed change comes back as [`Change`]s, which the service hooks turn into
//! deliveries; REST clients and simulated people go through the same functions, so both
//! fire the same events.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::apply::{Draft, apply_ops, check_rules};
pub(crate) use super::change::{Change, EventKind, Update};
use super::patch::{Op, OpKind, Target};
use super::{Deletion, END_OF_TIME, Relation, WorkItem, WorkItemStore, format_date};
use crate::ado_error::AdoError;
use crate::process::{self, WorkItemType};
use crate::seed::Process;
use crate::state::{Identity, People};

/// Who changes what, when, and with which permissions.
pub(crate) struct EditContext<'a> {
    pub(crate) process: Process,
    pub(crate) project_name: &'a str,
    pub(crate) project_id: Uuid,
    pub(crate) actor: &'a Identity,
    pub(crate) people: &'a People,
    pub(crate) now: DateTime<Utc>,
    /// `bypassRules=true`: the dates and authors of creation and change may be set.
    pub(crate) bypass_rules: bool,
    /// `validateOnly=true`: check everything, store nothing, fire nothing.
    pub(crate) validate_only: bool,
}

/// Creates a work item of `work_item_type` from a patch.
pub(crate) fn create(
    store: &mut WorkItemStore,
    ctx: &EditContext<'_>,
    work_item_type: &'static WorkItemType,
    ops: &[Op],
) -> Result<(WorkItem, Vec<Change>), AdoError> {
    let mut draft = Draft {
        fields: BTreeMap::new(),
        relations: Vec::new(),
        touched: Vec::new(),
    };
    apply_ops(store, ctx, work_item_type, &mut draft, ops, None)?;
    check_rules(ctx, work_item_type, &mut draft, None)?;

    let now = format_date(ctx.now);
    let actor = Value::String(ctx.actor.canonical());
    let fields = &mut draft.fields;
    fields.insert("System.WorkItemType".into(), work_item_type.name.into());
    fields.insert("System.TeamProject".into(), ctx.project_name.into());
    set_default(fields, "System.AreaPath", ctx.project_name.into());
    set_default(fields, "System.IterationPath", ctx.project_name.into());
    set_default(fields, "System.CreatedDate", now.clone().into());
    set_default(fields, "System.CreatedBy", actor.clone());
    // A new work item's change is its creation.
    let created_date = fields.get("System.CreatedDate").cloned();
    let created_by = fields.get("System.CreatedBy").cloned();
    if let (Some(date), Some(by)) = (created_date, created_by) {
        set_default(fields, "System.ChangedDate", date);
        set_default(fields, "System.ChangedBy", by);
    }
    fields.insert("System.AuthorizedDate".into(), now.into());
    fields.insert("System.RevisedDate".into(), END_OF_TIME.into());
    let comments = u64::from(fields.contains_key("System.History"));
    fields.insert("System.CommentCount".into(), comments.into());
    fields.insert("System.Rev".into(), 1.into());

    if ctx.validate_only {
        // Nothing is stored, so no id, watermark or event is spent.
        draft.fields.insert("System.Id".into(), 0.into());
        draft.fields.insert("System.Watermark".into(), 0.into());
        let item = WorkItem {
            id: 0,
            project_id: ctx.project_id,
            rev: 1,
            fields: draft.fields,
            relations: draft.relations,
            deleted: None,
        };
        return Ok((item, Vec::new()));
    }

    let id = store.take_id();
    draft.fields.insert("System.Id".into(), id.into());
    draft
        .fields
        .insert("System.Watermark".into(), store.next_watermark().into());
    let item = WorkItem {
        id,
        project_id: ctx.project_id,
        rev: 1,
        fields: draft.fields,
        relations: draft.relations,
        deleted: None,
    };
    store.items.insert(id, item.clone());
    let change = Change {
        kind: EventKind::Created,
        item: item.clone(),
        actor: ctx.actor.clone(),
        at: ctx.now,
        update: None,
    };
    Ok((item, vec![change]))
}

/// Applies a patch to a live work item as one new revision. A patch that changes
/// nothing makes no revision and fires nothing.
pub(crate) fn update(
    store: &mut WorkItemStore,
    ctx: &EditContext<'_>,
    id: u32,
    ops: &[Op],
) -> Result<(WorkItem, Vec<Change>), AdoError> {
    let current = store
        .live(id)
        .cloned()
        .ok_or_else(|| AdoError::work_item_not_found(id))?;
    let work_item_type = process::find_type(ctx.process, current.work_item_type())
        .ok_or_else(|| AdoError::work_item_type_not_found(current.work_item_type()))?;
    let mut before = current.fields.clone();
    // A comment belongs to the revision that added it.
    before.remove("System.History");
    let mut draft = Draft {
        fields: before.clone(),
        relations: current.relations.clone(),
        touched: Vec::new(),
    };
    apply_ops(store, ctx, work_item_type, &mut draft, ops, Some(&current))?;
    check_rules(ctx, work_item_type, &mut draft, Some(&before))?;

    let relations_added: Vec<Relation> = draft
        .relations
        .iter()
        .filter(|r| !current.relations.contains(r))
        .cloned()
        .collect();
    let relations_removed: Vec<Relation> = current
        .relations
        .iter()
        .filter(|r| !draft.relations.contains(r))
        .cloned()
        .collect();
    if draft.fields == before && relations_added.is_empty() && relations_removed.is_empty() {
        return Ok((current, Vec::new()));
    }

    // ADO's change dates only increase: two revisions in one millisecond are a
    // millisecond apart.
    let previous = before
        .get("System.ChangedDate")
        .and_then(Value::as_str)
        .and_then(super::values::parse_date);
    // Compared as stored: in whole milliseconds.
    let now = chrono::SubsecRound::trunc_subsecs(ctx.now, 3);
    let at = match previous {
        Some(previous) if previous >= now => previous + chrono::Duration::milliseconds(1),
        _ => now,
    };
    let now = format_date(at);
    let rev = current.rev + 1;
    let commented = draft.fields.contains_key("System.History");
    let fields = &mut draft.fields;
    if !draft.touched.contains(&"System.ChangedDate") {
        fields.insert("System.ChangedDate".into(), now.clone().into());
    }
    if !draft.touched.contains(&"System.ChangedBy") {
        fields.insert("System.ChangedBy".into(), ctx.actor.canonical().into());
    }
    fields.insert("System.AuthorizedDate".into(), now.clone().into());
    fields.insert("System.RevisedDate".into(), END_OF_TIME.into());
    fields.insert("System.Rev".into(), rev.into());
    if commented {
        let count = before
            .get("System.CommentCount")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        fields.insert("System.CommentCount".into(), (count + 1).into());
    }
    if ctx.validate_only {
        let item = WorkItem {
            rev,
            fields: draft.fields,
            relations: draft.relations,
            ..current
        };
        return Ok((item, Vec::new()));
    }
    draft
        .fields
        .insert("System.Watermark".into(), store.next_watermark().into());

    let mut changed = BTreeMap::new();
    for key in before.keys().chain(draft.fields.keys()) {
        let old = before.get(key);
        let new = draft.fields.get(key);
        if old != new {
            changed.insert(key.clone(), (old.cloned(), new.cloned()));
        }
    }
    // The revision being replaced stops being current now; ADO reports its
    // authorization date even when it did not move (see samples/workitem.updated.json).
    changed.insert(
        "System.RevisedDate".into(),
        (Some(now.into()), Some(END_OF_TIME.into())),
    );
    let authorized =
        |fields: &BTreeMap<String, Value>| fields.get("System.AuthorizedDate").cloned();
    changed.insert(
        "System.AuthorizedDate".into(),
        (authorized(&before), authorized(&draft.fields)),
    );

    let item = WorkItem {
        rev,
        fields: draft.fields,
        relations: draft.relations,
        ..current
    };
    store.items.insert(id, item.clone());
    let mut changes = vec![Change {
        kind: EventKind::Updated,
        item: item.clone(),
        actor: ctx.actor.clone(),
        at,
        update: Some(Update {
            fields: changed,
            relations_added,
            relations_removed,
        }),
    }];
    if commented {
        changes.push(Change {
            kind: EventKind::Commented,
            update: None,
            ..changes[0].clone()
        });
    }
    Ok((item, changes))
}

/// Sends a live work item to the recycle bin, or with `destroy` removes it for good
/// (from the bin too).
pub(crate) fn delete(
    store: &mut WorkItemStore,
    actor: &Identity,
    now: DateTime<Utc>,
    id: u32,
    destroy: bool,
) -> Result<(WorkItem, Vec<Change>), AdoError> {
    let item = store
        .items
        .get(&id)
        .filter(|w| destroy || w.deleted.is_none())
        .cloned()
        .ok_or_else(|| AdoError::work_item_not_found(id))?;
    let was_live = item.deleted.is_none();
    let item = WorkItem {
        deleted: Some(item.deleted.clone().unwrap_or(Deletion {
            at: now,
            by: actor.canonical(),
        })),
        ..item
    };
    if destroy {
        store.items.remove(&id);
    } else {
        store.items.insert(id, item.clone());
    }
    let changes = if was_live {
        vec![Change {
            kind: EventKind::Deleted,
            item: item.clone(),
            actor: actor.clone(),
            at: now,
            update: None,
        }]
    } else {
        Vec::new()
    };
    Ok((item, changes))
}

/// Takes a work item out of the recycle bin.
pub(crate) fn restore(
    store: &mut WorkItemStore,
    actor: &Identity,
    now: DateTime<Utc>,
    id: u32,
) -> Result<(WorkItem, Vec<Change>), AdoError> {
    let item = store
        .items
        .get_mut(&id)
        .ok_or_else(|| AdoError::work_item_not_found(id))?;
    if item.deleted.is_none() {
        return Err(AdoError::invalid_restore(id));
    }
    item.deleted = None;
    let item = item.clone();
    let change = Change {
        kind: EventKind::Restored,
        item: item.clone(),
        actor: actor.clone(),
        at: now,
        update: None,
    };
    Ok((item, vec![change]))
}

/// The patch a person's `{"field": value}` edit amounts to (`null` clears a field).
pub(crate) fn ops_from_fields(fields: &Map<String, Value>) -> Vec<Op> {
    fields
        .iter()
        .map(|(name, value)| Op {
            kind: if value.is_null() {
                OpKind::Remove
            } else {
                OpKind::Add
            },
            target: Target::Field(name.clone()),
            path: format!("/fields/{name}"),
            value: value.clone(),
        })
        .collect()
}

fn set_default(fields: &mut BTreeMap<String, Value>, key: &str, value: Value) {
    fields.entry(key.to_owned()).or_insert(value);
}
