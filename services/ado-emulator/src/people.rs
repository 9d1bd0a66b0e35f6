//! Acting as a person in ADO: the changes someone makes on the board — creating a work
//! item, editing fields, changing its state, commenting, deleting and restoring — made
//! through the same rules as the REST API and firing the same service hook events, as
//! if a colleague of the test were clicking in the portal.
//!
//! The control API (`/_emulator/organizations/{org}/workitems/...`) calls these too.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ado_error::AdoError;
use crate::emulator::{ActionError, Emulator};
use crate::hooks;
use crate::process;
use crate::state::{Identity, Organization};
use crate::work_items::edit::{self, Change, EditContext};
use crate::work_items::patch::{Op, OpKind, Target};
use crate::work_items::{WorkItem, WorkItemSnapshot};

/// Someone working in ADO's portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub display_name: String,
    pub unique_name: String,
}

impl Person {
    pub fn new(display_name: &str, unique_name: &str) -> Self {
        Self {
            display_name: display_name.to_owned(),
            unique_name: unique_name.to_owned(),
        }
    }

    fn identity(&self) -> Identity {
        Identity::new(&self.display_name, &self.unique_name)
    }
}

/// The person who acts when none is named, as in `shared/ado/samples/`.
impl Default for Person {
    fn default() -> Self {
        Self::new("Board User", "board.user@example.com")
    }
}

/// What a change needs besides the organization and the person.
pub(crate) type Action<'a> =
    dyn FnOnce(&mut Organization, &Identity) -> Result<(WorkItem, Vec<Change>), AdoError> + 'a;

impl Emulator {
    /// Runs a change as `person` and sends its events, with `base` (or the served
    /// address) as `{base}` in the payloads.
    pub(crate) fn act(
        &self,
        org: &str,
        person: Option<&Person>,
        base: Option<&str>,
        action: Box<Action<'_>>,
    ) -> Result<WorkItem, AdoError> {
        let person = person.cloned().unwrap_or_default();
        let identity = person.identity();
        let mut state = self.state().lock();
        let base = base
            .map(str::to_owned)
            .or_else(|| state.public_base.clone())
            .unwrap_or_else(|| "http://127.0.0.1".to_owned());
        let org_state = state
            .org_mut(org)
            .ok_or_else(|| AdoError::organization_not_found(org))?;
        org_state.meet(&identity);
        let (item, changes) = action(org_state, &identity)?;
        let notifications = hooks::publish(org_state, &base, &changes);
        drop(state);
        self.dispatch(notifications);
        Ok(item)
    }

    pub(crate) fn create_as(
        &self,
        org: &str,
        project: &str,
        work_item_type: &str,
        fields: &Value,
        person: Option<&Person>,
        base: Option<&str>,
    ) -> Result<WorkItem, AdoError> {
        let ops = field_ops(fields)?;
        self.act(
            org,
            person,
            base,
            Box::new(move |org_state, identity| {
                let project = org_state
                    .project(project)
                    .ok_or_else(|| AdoError::project_not_found(project))?;
                let (project_name, project_id) = (project.name.clone(), project.id);
                let kind = process::find_type(org_state.process, work_item_type)
                    .ok_or_else(|| AdoError::work_item_type_not_found(work_item_type))?;
                let ctx = EditContext {
                    process: org_state.process,
                    project_name: &project_name,
                    project_id,
                    actor: identity,
                    people: &org_state.people.clone(),
                    now: Utc::now(),
                    bypass_rules: true,
                    validate_only: false,
                };
                edit::create(&mut org_state.work_items, &ctx, kind, &ops)
            }),
        )
    }

    pub(crate) fn edit_as(
        &self,
        org: &str,
        id: u32,
        ops: Vec<Op>,
        person: Option<&Person>,
        base: Option<&str>,
    ) -> Result<WorkItem, AdoError> {
        self.act(
            org,
            person,
            base,
            Box::new(move |org_state, identity| {
                let item = org_state
                    .work_items
                    .live(id)
                    .ok_or_else(|| AdoError::work_item_not_found(id))?;
                let project = org_state
                    .project_by_id(item.project_id)
                    .ok_or_else(|| AdoError::work_item_not_found(id))?;
                let (project_name, project_id) = (project.name.clone(), project.id);
                let ctx = EditContext {
                    process: org_state.process,
                    project_name: &project_name,
                    project_id,
                    actor: identity,
                    people: &org_state.people.clone(),
                    now: Utc::now(),
                    bypass_rules: true,
                    validate_only: false,
                };
                edit::update(&mut org_state.work_items, &ctx, id, &ops)
            }),
        )
    }

    /// A person creates a work item (`workitem.created`). `fields` is an object of
    /// reference names to values, e.g. `{"System.Title": "Plan the sprint"}`.
    pub fn create_as_person(
        &self,
        org: &str,
        project: &str,
        work_item_type: &str,
        fields: &Value,
        person: Option<&Person>,
    ) -> Result<WorkItemSnapshot, ActionError> {
        Ok(WorkItemSnapshot::from(&self.create_as(
            org,
            project,
            work_item_type,
            fields,
            person,
            None,
        )?))
    }

    /// A person edits fields in one revision (one `workitem.updated` with the old and
    /// new values); `null` clears a field. `System.History` adds a comment.
    pub fn edit_as_person(
        &self,
        org: &str,
        id: u32,
        fields: &Value,
        person: Option<&Person>,
    ) -> Result<WorkItemSnapshot, ActionError> {
        let ops = field_ops(fields)?;
        Ok(WorkItemSnapshot::from(
            &self.edit_as(org, id, ops, person, None)?,
        ))
    }

    /// A person comments (`workitem.commented`, and `workitem.updated` for the revision).
    pub fn comment_as_person(
        &self,
        org: &str,
        id: u32,
        text: &str,
        person: Option<&Person>,
    ) -> Result<WorkItemSnapshot, ActionError> {
        let ops = vec![comment_op(text)];
        Ok(WorkItemSnapshot::from(
            &self.edit_as(org, id, ops, person, None)?,
        ))
    }

    /// A person sends a work item to the recycle bin (`workitem.deleted`).
    pub fn delete_as_person(
        &self,
        org: &str,
        id: u32,
        person: Option<&Person>,
    ) -> Result<WorkItemSnapshot, ActionError> {
        let item = self.act(
            org,
            person,
            None,
            Box::new(move |o, who| edit::delete(&mut o.work_items, who, Utc::now(), id, false)),
        )?;
        Ok(WorkItemSnapshot::from(&item))
    }

    /// A person restores a work item from the recycle bin (`workitem.restored`).
    pub fn restore_as_person(
        &self,
        org: &str,
        id: u32,
        person: Option<&Person>,
    ) -> Result<WorkItemSnapshot, ActionError> {
        let item = self.act(
            org,
            person,
            None,
            Box::new(move |o, who| edit::restore(&mut o.work_items, who, Utc::now(), id)),
        )?;
        Ok(WorkItemSnapshot::from(&item))
    }

    /// Every work item of an organization, recycled ones included, by id. Empty for an
    /// unknown organization.
    pub fn work_items(&self, org: &str) -> Vec<WorkItemSnapshot> {
        self.state()
            .lock()
            .org(org)
            .map(|o| {
                o.work_items
                    .items
                    .values()
                    .map(WorkItemSnapshot::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One work item, even from the recycle bin.
    pub fn work_item(&self, org: &str, id: u32) -> Option<WorkItemSnapshot> {
        self.state()
            .lock()
            .org(org)
            .and_then(|o| o.work_items.items.get(&id).map(WorkItemSnapshot::from))
    }
}

/// The patch of a `{"field": value}` object.
pub(crate) fn field_ops(fields: &Value) -> Result<Vec<Op>, AdoError> {
    let object: &Map<String, Value> = fields.as_object().ok_or_else(|| {
        AdoError::control_request(
            "fields must be an object of reference names to values".to_owned(),
        )
    })?;
    Ok(edit::ops_from_fields(object))
}

pub(crate) fn comment_op(text: &str) -> Op {
    Op {
        kind: OpKind::Add,
        target: Target::Field("System.History".into()),
        path: "/fields/System.History".into(),
        value: Value::String(text.to_owned()),
    }
}
