//! The JSON ADO posts to a Web Hooks subscription, field for field as in
//! `shared/ado/samples/` and Microsoft's samples: the envelope (`subscriptionId`,
//! `notificationId`, `id`, `eventType`, `publisherId`, `message`, `detailedMessage`,
//! `resource`, `resourceVersion`, `resourceContainers`, `createdDate`) around a resource
//! that is an *update* for `workitem.updated` and the work item itself otherwise.
//!
//! Identities inside `fields` are `"Display Name <unique@name>"` strings here, unlike the
//! REST API's objects.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{ResourceDetails, Subscription};
use crate::state::Identity;
use crate::work_items::edit::{Change, EventKind};
use crate::work_items::fields::HIDDEN_IN_HOOKS;
use crate::work_items::{END_OF_TIME, Relation, WorkItem, encode_segment, format_date};

/// What every event of one change shares.
pub(crate) struct Context<'a> {
    pub(crate) base: &'a str,
    pub(crate) org_name: &'a str,
    pub(crate) collection_id: Uuid,
    pub(crate) account_id: Uuid,
    pub(crate) project_id: Uuid,
    pub(crate) project_name: &'a str,
    pub(crate) change: &'a Change,
}

impl Context<'_> {
    /// `{base}/{org}/{projectId}/_apis/wit/workItems/{id}`, as ADO writes it in events.
    fn item_url(&self) -> String {
        format!(
            "{}/{}/{}/_apis/wit/workItems/{}",
            self.base, self.org_name, self.project_id, self.change.item.id
        )
    }

    fn org_url(&self) -> String {
        format!("{}/{}/", self.base, self.org_name)
    }
}

/// The body posted for one subscription.
pub(crate) fn event(
    ctx: &Context<'_>,
    subscription: &Subscription,
    notification_id: u64,
    event_id: Uuid,
) -> Value {
    let change = ctx.change;
    let text = format!(
        "{} #{} ({}) {} by {}",
        change.item.work_item_type(),
        change.item.id,
        change.item.title(),
        change.kind.verb(),
        change.actor.display_name
    );
    let message = json!({"text": text, "html": text, "markdown": text});
    let resource = match subscription.spec.details {
        ResourceDetails::None => Value::Null,
        ResourceDetails::Minimal => minimal_resource(ctx, subscription.spec.docs_quirk),
        ResourceDetails::All => full_resource(ctx, subscription.spec.docs_quirk),
    };
    let container = |id: Uuid| json!({"id": id, "baseUrl": ctx.org_url()});
    json!({
        "subscriptionId": subscription.id,
        "notificationId": notification_id,
        "id": event_id,
        "eventType": change.kind.event_type(),
        "publisherId": "tfs",
        "message": message,
        "detailedMessage": message,
        "resource": resource,
        "resourceVersion": "1.0",
        "resourceContainers": {
            "collection": container(ctx.collection_id),
            "account": container(ctx.account_id),
            "project": container(ctx.project_id),
        },
        "createdDate": format_date(change.at),
    })
}

/// "Minimal" details: ids and the URL to read the rest from.
fn minimal_resource(ctx: &Context<'_>, docs_quirk: bool) -> Value {
    let item = &ctx.change.item;
    match ctx.change.kind {
        EventKind::Updated => json!({
            "id": item.rev,
            "workItemId": if docs_quirk { 0 } else { item.id },
            "rev": item.rev,
            "url": format!("{}/updates/{}", ctx.item_url(), item.rev),
        }),
        EventKind::Deleted => json!({
            "id": item.id,
            "rev": item.rev,
            "url": recycle_bin_url(ctx),
        }),
        _ => json!({"id": item.id, "rev": item.rev, "url": ctx.item_url()}),
    }
}

fn full_resource(ctx: &Context<'_>, docs_quirk: bool) -> Value {
    let change = ctx.change;
    let item = &change.item;
    let url = ctx.item_url();
    let type_url = format!(
        "{}/{}/{}/_apis/wit/workItemTypes/{}",
        ctx.base,
        ctx.org_name,
        ctx.project_id,
        encode_segment(item.work_item_type())
    );
    let fields_url = format!("{}/{}/_apis/wit/fields", ctx.base, ctx.org_name);
    let href = |h: String| json!({"href": h});
    match change.kind {
        EventKind::Updated => {
            let update = change.update.clone().unwrap_or_default();
            let mut fields = Map::new();
            for (name, (old, new)) in &update.fields {
                let mut pair = Map::new();
                if let Some(old) = old {
                    pair.insert("oldValue".into(), old.clone());
                }
                if let Some(new) = new {
                    pair.insert("newValue".into(), new.clone());
                }
                fields.insert(name.clone(), Value::Object(pair));
            }
            let update_url = format!("{url}/updates/{}", item.rev);
            let revision_url = format!("{url}/revisions/{}", item.rev);
            let mut revision = json!({
                "id": item.id,
                "rev": item.rev,
                "fields": hook_fields(item),
                "_links": {"self": href(revision_url.clone()), "parent": href(url.clone())},
                "url": revision_url,
            });
            if !item.relations.is_empty() {
                revision["relations"] = relations(&item.relations);
            }
            let mut resource = json!({
                "id": item.rev,
                "workItemId": if docs_quirk { 0 } else { item.id },
                "rev": item.rev,
                "revisedBy": if docs_quirk { Value::Null } else { revised_by(ctx, &change.actor) },
                "revisedDate": END_OF_TIME,
                "fields": fields,
                "_links": {
                    "self": href(update_url.clone()),
                    "workItemUpdates": href(format!("{url}/updates")),
                    "parent": href(url.clone()),
                },
                "url": update_url,
                "revision": revision,
            });
            if !update.relations_added.is_empty() || !update.relations_removed.is_empty() {
                let mut changes = Map::new();
                if !update.relations_added.is_empty() {
                    changes.insert("added".into(), relations(&update.relations_added));
                }
                if !update.relations_removed.is_empty() {
                    changes.insert("removed".into(), relations(&update.relations_removed));
                }
                resource["relations"] = Value::Object(changes);
            }
            resource
        }
        EventKind::Deleted => {
            let bin = recycle_bin_url(ctx);
            json!({
                "id": item.id,
                "rev": item.rev,
                "fields": hook_fields(item),
                "_links": {"self": href(bin.clone())},
                "url": bin,
            })
        }
        EventKind::Created | EventKind::Restored | EventKind::Commented => {
            let mut links = json!({
                "self": href(url.clone()),
                "workItemUpdates": href(format!("{url}/updates")),
                "workItemRevisions": href(format!("{url}/revisions")),
                "workItemType": href(type_url),
                "fields": href(fields_url),
            });
            if change.kind == EventKind::Restored {
                links["html"] = href(format!(
                    "{}/{}/{}/_workitems/edit/{}",
                    ctx.base,
                    ctx.org_name,
                    encode_segment(ctx.project_name),
                    item.id
                ));
                links["workItemHistory"] = href(format!("{url}/history"));
            }
            let mut resource = json!({
                "id": item.id,
                "rev": item.rev,
                "fields": hook_fields(item),
                "_links": links,
                "url": url,
            });
            if !item.relations.is_empty() {
                resource["relations"] = relations(&item.relations);
            }
            resource
        }
    }
}

fn recycle_bin_url(ctx: &Context<'_>) -> String {
    format!(
        "{}/{}/_apis/wit/recyclebin/{}",
        ctx.base, ctx.org_name, ctx.change.item.id
    )
}

/// The work item's fields as events show them: bookkeeping left out, `System.Rev` in.
fn hook_fields(item: &WorkItem) -> Value {
    Value::Object(
        item.fields
            .iter()
            .filter(|(k, _)| !HIDDEN_IN_HOOKS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

fn relations(list: &[Relation]) -> Value {
    Value::Array(list.iter().map(Relation::to_json).collect())
}

/// `revisedBy` as `shared/ado/samples/workitem.updated.json` has it.
fn revised_by(ctx: &Context<'_>, identity: &Identity) -> Value {
    json!({
        "displayName": identity.display_name,
        "uniqueName": identity.unique_name,
        "id": identity.id,
        "descriptor": super::descriptor(identity),
        "name": identity.canonical(),
        "url": format!("{}/{}/_apis/Identities/{}", ctx.base, ctx.org_name, identity.id),
    })
}
