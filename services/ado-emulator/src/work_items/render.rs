//! Work items as the REST API shows them: identities as objects, bookkeeping fields
//! only when asked for, relations only with `$expand=relations|all`, and ADO's
//! project-scoped URLs and `_links`.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::fields::{self, HIDDEN_IN_REST, Kind};
use super::{Relation, WorkItem, encode_segment, split_identity};
use crate::ado_error::AdoError;
use crate::hooks::identity_ref;
use crate::state::Identity;

/// How much of a work item an answer carries.
#[derive(Debug, Clone, Default)]
pub(crate) struct View {
    pub(crate) relations: bool,
    pub(crate) links: bool,
    /// `$expand=fields|all`: the bookkeeping fields too.
    pub(crate) all_fields: bool,
    /// `fields=a,b`: only these (catalogue spelling).
    pub(crate) only: Option<Vec<&'static str>>,
}

impl View {
    /// The view a GET asks for with `$expand` and `fields`; `links` is the route's
    /// default for `_links`.
    pub(crate) fn from_query(
        expand: Option<&str>,
        only: Option<&str>,
        links: bool,
    ) -> Result<Self, AdoError> {
        let expand = expand.map(|e| e.trim().to_ascii_lowercase());
        let only = only.map(str::trim).filter(|f| !f.is_empty());
        if only.is_some() && expand.as_deref().is_some_and(|e| e != "none") {
            return Err(AdoError::conflicting_expand_and_fields());
        }
        let mut view = Self {
            links,
            ..Self::default()
        };
        match expand.as_deref() {
            None | Some("none") => {}
            Some("relations") => view.relations = true,
            Some("fields") => view.all_fields = true,
            Some("links") => view.links = true,
            Some("all") => {
                view.relations = true;
                view.links = true;
                view.all_fields = true;
            }
            Some(other) => {
                return Err(AdoError::bad_argument(format!(
                    "'{other}' is not a valid $expand: use None, Relations, Fields, Links or All."
                )));
            }
        }
        if let Some(list) = only {
            let names = list
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| {
                    fields::find(n)
                        .map(|f| f.reference_name)
                        .ok_or_else(|| AdoError::field_not_found(n))
                })
                .collect::<Result<Vec<_>, _>>()?;
            view.only = Some(names);
        }
        Ok(view)
    }
}

/// Where a work item lives in URLs.
pub(crate) struct Place<'a> {
    pub(crate) base: &'a str,
    pub(crate) org: &'a str,
    pub(crate) project_id: Uuid,
    pub(crate) project_name: &'a str,
}

impl Place<'_> {
    pub(crate) fn item_url(&self, id: u32) -> String {
        format!(
            "{}/{}/{}/_apis/wit/workItems/{id}",
            self.base, self.org, self.project_id
        )
    }
}

/// The REST answer for one work item.
pub(crate) fn work_item(place: &Place<'_>, item: &WorkItem, view: &View) -> Value {
    let mut shown = Map::new();
    for (name, value) in &item.fields {
        let wanted = match &view.only {
            Some(only) => only.iter().any(|o| o == name),
            None => view.all_fields || !HIDDEN_IN_REST.contains(&name.as_str()),
        };
        if !wanted {
            continue;
        }
        let is_identity = fields::find(name).is_some_and(|f| f.kind == Kind::Identity);
        let value = match value.as_str() {
            Some(text) if is_identity => identity_object(place, text),
            _ => value.clone(),
        };
        shown.insert(name.clone(), value);
    }
    let url = place.item_url(item.id);
    let mut body = json!({"id": item.id, "rev": item.rev, "fields": shown});
    if view.relations && !item.relations.is_empty() {
        body["relations"] = Value::Array(item.relations.iter().map(Relation::to_json).collect());
    }
    if view.links {
        let href = |h: String| json!({"href": h});
        body["_links"] = json!({
            "self": href(url.clone()),
            "workItemUpdates": href(format!("{url}/updates")),
            "workItemRevisions": href(format!("{url}/revisions")),
            "workItemComments": href(format!("{url}/comments")),
            "html": href(format!(
                "{}/{}/{}/_workitems/edit/{}",
                place.base,
                place.org,
                encode_segment(place.project_name),
                item.id
            )),
            "workItemType": href(format!(
                "{}/{}/{}/_apis/wit/workItemTypes/{}",
                place.base,
                place.org,
                place.project_id,
                encode_segment(item.work_item_type())
            )),
            "fields": href(format!("{}/{}/_apis/wit/fields", place.base, place.org)),
        });
    }
    body["url"] = url.into();
    body
}

/// `"Display Name <unique@name>"` as the identity object of REST answers.
fn identity_object(place: &Place<'_>, text: &str) -> Value {
    let (display, unique) = split_identity(text);
    identity_ref(place.base, place.org, &Identity::new(display, unique))
}

/// ADO's `WorkItemDelete`: the answer to a delete, a restore, and a recycle bin read.
pub(crate) fn deleted(place: &Place<'_>, item: &WorkItem, code: u16) -> Value {
    let mut body = json!({
        "id": item.id,
        "code": code,
        "type": item.work_item_type(),
        "name": item.title(),
        "project": place.project_name,
        "url": format!(
            "{}/{}/{}/_apis/wit/recycleBin/{}",
            place.base, place.org, place.project_id, item.id
        ),
        "resource": work_item(place, item, &View { relations: true, links: true, ..View::default() }),
    });
    if let Some(deletion) = &item.deleted {
        body["deletedDate"] = super::format_date(deletion.at).into();
        body["deletedBy"] = deletion.by.clone().into();
    }
    body
}
