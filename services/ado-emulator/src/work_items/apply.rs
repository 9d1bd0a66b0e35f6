//! Applying a JSON Patch to a draft of a work item, and the process's rules on the
//! result: fields the type has and a client may write, values in their stored form,
//! links that make sense, a title, a known state and a reason. Nothing here touches the
//! stored work item; [`super::edit`] commits the draft only when all of it passed.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::edit::EditContext;
use super::fields::{self, Access, FieldDef};
use super::patch::{Op, OpKind, Target};
use super::values::{ValueContext, normalize};
use super::{END_OF_TIME, Relation, WorkItem, WorkItemStore, format_date};
use crate::ado_error::AdoError;
use crate::process::{self, WorkItemType};

/// A work item being edited, before the rules have had their say.
pub(super) struct Draft {
    pub(super) fields: BTreeMap<String, Value>,
    pub(super) relations: Vec<Relation>,
    /// Fields the patch set (by catalogue spelling), to know whether the client chose a
    /// `System.Reason` or the dates that `bypassRules` lets it set.
    pub(super) touched: Vec<&'static str>,
}

pub(super) fn apply_ops(
    store: &mut WorkItemStore,
    ctx: &EditContext<'_>,
    work_item_type: &WorkItemType,
    draft: &mut Draft,
    ops: &[Op],
    current: Option<&WorkItem>,
) -> Result<(), AdoError> {
    let item_id = current.map_or(-1, |c| i64::from(c.id));
    let values = ValueContext {
        project_name: ctx.project_name,
        item_id,
        people: ctx.people,
    };
    for op in ops {
        match (&op.target, op.kind) {
            (Target::MultilineFormat, _) => {}
            (Target::Rev, OpKind::Test) => {
                let rev = current.map_or(0, |c| c.rev);
                if !loosely_equal(&Value::from(rev), &op.value) {
                    return Err(AdoError::test_failed(
                        &op.path,
                        &rev.to_string(),
                        &display(&op.value),
                    ));
                }
            }
            (Target::Id, OpKind::Test) => {
                let id = current.map_or(0, |c| c.id);
                if !loosely_equal(&Value::from(id), &op.value) {
                    return Err(AdoError::test_failed(
                        &op.path,
                        &id.to_string(),
                        &display(&op.value),
                    ));
                }
            }
            (Target::Rev, _) => return Err(AdoError::read_only_field("System.Rev")),
            (Target::Id, _) => return Err(AdoError::read_only_field("System.Id")),
            (Target::Field(name), kind) => {
                let def = field_of(work_item_type, name)?;
                if kind == OpKind::Test {
                    let current_value = draft.fields.get(def.reference_name);
                    let tested = normalize(def, &op.value, &values).ok().flatten();
                    let equal = match (current_value, &tested) {
                        (None, None) => true,
                        (Some(a), Some(b)) => loosely_equal(a, b),
                        _ => false,
                    };
                    if !equal {
                        return Err(AdoError::test_failed(
                            &op.path,
                            &current_value.map(display).unwrap_or_default(),
                            &display(&op.value),
                        ));
                    }
                    continue;
                }
                match def.access {
                    Access::ReadOnly => return Err(AdoError::read_only_field(def.reference_name)),
                    Access::BypassOnly if !ctx.bypass_rules => {
                        return Err(AdoError::read_only_field(def.reference_name));
                    }
                    _ => {}
                }
                let value = match kind {
                    OpKind::Remove => None,
                    _ => normalize(def, &op.value, &values)?,
                };
                match value {
                    Some(value) => draft.fields.insert(def.reference_name.to_owned(), value),
                    None => draft.fields.remove(def.reference_name),
                };
                draft.touched.push(def.reference_name);
            }
            (Target::RelationsEnd, OpKind::Add) => {
                let relation = new_relation(store, ctx, &op.value)?;
                if draft
                    .relations
                    .iter()
                    .any(|r| r.rel == relation.rel && r.url.eq_ignore_ascii_case(&relation.url))
                {
                    return Err(AdoError::patch_operation_failed(format!(
                        "Relation already exists: {} {}.",
                        relation.rel, relation.url
                    )));
                }
                draft.relations.push(relation);
            }
            (Target::Relation(index), kind) => {
                let missing = || {
                    AdoError::patch_operation_failed(format!(
                        "There is no relation at index {index}."
                    ))
                };
                match kind {
                    OpKind::Remove => {
                        if *index >= draft.relations.len() {
                            return Err(missing());
                        }
                        draft.relations.remove(*index);
                    }
                    OpKind::Replace | OpKind::Add => {
                        let relation = new_relation(store, ctx, &op.value)?;
                        let slot = draft.relations.get_mut(*index).ok_or_else(missing)?;
                        *slot = relation;
                    }
                    OpKind::Test => {
                        let relation = draft.relations.get(*index).ok_or_else(missing)?;
                        if relation.to_json() != op.value {
                            return Err(AdoError::test_failed(
                                &op.path,
                                &relation.to_json().to_string(),
                                &display(&op.value),
                            ));
                        }
                    }
                }
            }
            (Target::RelationAttribute(index, name), kind) => {
                let relation = draft.relations.get_mut(*index).ok_or_else(|| {
                    AdoError::patch_operation_failed(format!(
                        "There is no relation at index {index}."
                    ))
                })?;
                match kind {
                    OpKind::Remove => {
                        relation.attributes.remove(name);
                    }
                    OpKind::Test => {}
                    _ => {
                        relation.attributes.insert(name.clone(), op.value.clone());
                    }
                }
            }
            (Target::RelationsEnd, _) => {
                return Err(AdoError::patch_operation_failed(
                    "Only 'add' applies to /relations/-.".to_owned(),
                ));
            }
        }
    }
    Ok(())
}

/// The field a patch names, if the work item's type has it (else ADO's TF51535).
fn field_of(work_item_type: &WorkItemType, name: &str) -> Result<&'static FieldDef, AdoError> {
    fields::find(name)
        .filter(|def| work_item_type.has_field(def.reference_name))
        .ok_or_else(|| AdoError::field_not_found(name))
}

/// The process's rules on the edited work item: a title, a known state, a reason.
pub(super) fn check_rules(
    ctx: &EditContext<'_>,
    work_item_type: &WorkItemType,
    draft: &mut Draft,
    before: Option<&BTreeMap<String, Value>>,
) -> Result<(), AdoError> {
    let title = draft
        .fields
        .get("System.Title")
        .and_then(Value::as_str)
        .unwrap_or("");
    if title.trim().is_empty() {
        return Err(AdoError::rule_error(
            "System.Title",
            "Title",
            &["Required", "InvalidEmpty"],
        ));
    }

    let old_state = before
        .and_then(|b| b.get("System.State"))
        .and_then(Value::as_str)
        .and_then(|s| work_item_type.state(s));
    let new_state = match draft.fields.get("System.State").and_then(Value::as_str) {
        None => match old_state {
            // A state cannot be cleared: it is required.
            Some(_) => {
                return Err(AdoError::rule_error(
                    "System.State",
                    "State",
                    &["Required", "InvalidEmpty"],
                ));
            }
            None => work_item_type.initial_state(),
        },
        Some(name) => work_item_type.state(name).ok_or_else(|| {
            AdoError::rule_error(
                "System.State",
                "State",
                &[
                    "Required",
                    "HasValues",
                    "LimitedToValues",
                    "AllowsOldValue",
                    "InvalidListValue",
                ],
            )
        })?,
    };
    draft
        .fields
        .insert("System.State".into(), new_state.name.into());
    let state_changed = old_state.is_none_or(|old| old.name != new_state.name);
    let reason_chosen =
        draft.touched.contains(&"System.Reason") && draft.fields.contains_key("System.Reason");
    if state_changed && !reason_chosen || !draft.fields.contains_key("System.Reason") {
        let reason = process::default_reason(ctx.process, work_item_type, old_state, new_state);
        draft.fields.insert("System.Reason".into(), reason.into());
    }
    Ok(())
}

/// A relation from a patch value `{"rel", "url", "attributes"?}`, with the attributes ADO
/// adds to each kind of link.
fn new_relation(
    store: &mut WorkItemStore,
    ctx: &EditContext<'_>,
    value: &Value,
) -> Result<Relation, AdoError> {
    let invalid = || {
        AdoError::patch_operation_failed(
            "A relation is {\"rel\": \"...\", \"url\": \"...\", \"attributes\": {...}}.".to_owned(),
        )
    };
    let object = value.as_object().ok_or_else(invalid)?;
    let rel = object
        .get("rel")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(invalid)?;
    let url = object
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(invalid)?;
    let given = object
        .get("attributes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut attributes = Map::new();
    if rel.starts_with("System.LinkTypes.") || rel.starts_with("Microsoft.VSTS.") {
        // A link to another work item: it must exist.
        let target = url
            .rsplit('/')
            .next()
            .and_then(|id| id.parse::<u32>().ok())
            .ok_or_else(invalid)?;
        if store.live(target).is_none() {
            return Err(AdoError::work_item_not_found(target));
        }
        attributes.insert("isLocked".into(), false.into());
        attributes.insert("name".into(), link_name(rel).into());
    } else {
        if rel == "Hyperlink" && !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(AdoError::patch_operation_failed(format!(
                "The hyperlink {url} is not an absolute http(s) URL."
            )));
        }
        let now = format_date(ctx.now);
        attributes.insert("authorizedDate".into(), now.clone().into());
        attributes.insert("id".into(), store.take_link_id().into());
        attributes.insert("resourceCreatedDate".into(), now.clone().into());
        attributes.insert("resourceModifiedDate".into(), now.into());
        attributes.insert("revisedDate".into(), END_OF_TIME.into());
    }
    attributes.extend(given);
    Ok(Relation {
        rel: rel.to_owned(),
        url: url.to_owned(),
        attributes,
    })
}

/// The friendly name ADO shows for a work item link type.
fn link_name(rel: &str) -> &str {
    match rel {
        "System.LinkTypes.Hierarchy-Reverse" => "Parent",
        "System.LinkTypes.Hierarchy-Forward" => "Child",
        "System.LinkTypes.Related" => "Related",
        "System.LinkTypes.Dependency-Forward" => "Successor",
        "System.LinkTypes.Dependency-Reverse" => "Predecessor",
        "System.LinkTypes.Duplicate-Forward" => "Duplicate",
        "System.LinkTypes.Duplicate-Reverse" => "Duplicate Of",
        other => other,
    }
}

/// Equal as ADO's `test` compares: numbers and their text alike, text in any case.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a, b) {
        (Value::Number(x), Value::String(y)) | (Value::String(y), Value::Number(x)) => {
            y.trim().parse::<f64>().ok() == x.as_f64()
        }
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
