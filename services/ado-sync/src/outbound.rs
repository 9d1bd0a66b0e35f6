//! From Navigator to ADO (SPEC §9): every `action_item.*` event, from any publisher,
//! becomes at most one work item and the changes to it.
//!
//! - **Exactly one work item.** A create takes the item's lease, commits its intent
//!   (`create_attempted_at`) and only then calls ADO. If that call's answer never arrives
//!   (a crash, a timeout, a lost connection), the next attempt first looks for the item's
//!   marker tag with WIQL and adopts what it finds.
//! - **Only what changed.** The desired values (the event's item) are compared with what
//!   ado-sync knows ADO holds; only differing fields are sent. An event older than the last
//!   version synced changes nothing, and a newer one carries every pending change, so
//!   reordering and redelivery lose nothing.
//! - **No loops.** Fields an `origin: ado` event reports as changed came from ADO and are
//!   never sent back; every revision ado-sync writes is remembered, so its service hook
//!   echo is dropped.

use std::sync::Arc;

use diesel_async::AsyncPgConnection;
use navsync_ado_client::{AdoError, Organization, Pat, WorkItem};
use navsync_contracts::{
    ActionItemV1, AdoChanges, Event, FieldValue, Origin, SyncError, changed_field, decode,
};
use navsync_messaging::{IncomingMessage, Outcome};
use serde_json::{Value, json};

use crate::directory::Integration;
use crate::inbound::{Candidate, DESCRIPTION, STATE, TITLE, take_newer};
use crate::mapping::{state_for, status_for, text_to_html};
use crate::metadata::TypeInfo;
use crate::store::links::{self, LinkRow};
use crate::store::{parked, revisions};
use crate::unconfirmed;
use crate::worker::Worker;

pub const NAVIGATOR_TAG: &str = "P2A Navigator";
/// How long a delivery waits for another's lease on the same item before retrying later.
pub const LEASE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(15);
pub const LEASE_POLL: std::time::Duration = std::time::Duration::from_millis(50);
pub const DELETED_TAG: &str = "P2A Navigator deleted";
const DUE_DATE: &str = "Microsoft.VSTS.Scheduling.DueDate";
const ASSIGNED_TO: &str = "System.AssignedTo";
/// The error on an item whose company's integration is disabled.
pub const INTEGRATION_DISABLED: &str = "integration_disabled";
/// The warning on a sync that went through without its assignee.
pub const ASSIGNEE_NOT_IN_ADO: &str = "assignee_not_in_ado";

/// ADO refused the `System.AssignedTo` we sent: the identity is not a user of the
/// organization (a rule error naming the field).
fn refuses_assignee(err: &AdoError) -> bool {
    matches!(err, AdoError::BadRequest { message, .. }
        if message.contains("field Assigned To") || message.contains(ASSIGNED_TO))
}

fn is_assignee_op(op: &Value) -> bool {
    op["path"].as_str() == Some(&format!("/fields/{ASSIGNED_TO}"))
}

fn assignee_warning(email: &str, org: &Organization) -> SyncError {
    SyncError {
        code: ASSIGNEE_NOT_IN_ADO.to_owned(),
        message: format!(
            "Synced without the assignee: {email} is not a user of the Azure DevOps \
             organization {org}, so the work item stays unassigned."
        ),
    }
}

/// The per-item marker tag that finds a work item again after a lost create answer.
pub fn marker(item: &ActionItemV1) -> String {
    format!("navsync-{}", item.id)
}

enum Kind {
    Upsert { changed: Vec<String> },
    Delete,
}

pub async fn handle(worker: Arc<Worker>, message: IncomingMessage) -> Outcome {
    let envelope = match decode(&message.body) {
        Ok(e) => e,
        Err(err) => return Outcome::dead_letter(format!("{}: {err}", err.code())),
    };
    let priority = !matches!(envelope.data, Event::ActionItemCreated(_));
    let (item, kind) = match envelope.data {
        Event::ActionItemCreated(item) => (
            item,
            Kind::Upsert {
                changed: Vec::new(),
            },
        ),
        Event::ActionItemUpdated(u) => (
            u.item,
            Kind::Upsert {
                changed: u.changed_fields,
            },
        ),
        Event::ActionItemDeleted(item) => (item, Kind::Delete),
        _ => return Outcome::Ack,
    };
    if matches!(kind, Kind::Upsert { .. }) && !item.sync_to_ado {
        return Outcome::Ack;
    }
    let integration = match worker.directory.for_company(item.company_id).await {
        Ok(Some(i)) => i,
        // No integration: nothing is synced for this company.
        Ok(None) => return Outcome::Ack,
        Err(err) => return Outcome::retry(err.to_string()),
    };
    if !integration.enabled {
        metrics::counter!("sync_outcomes_total", "outcome" => "integration_disabled").increment(1);
        return disabled(&worker, &item, &kind).await;
    }
    let Some(project) = integration.project.clone().filter(|_| integration.active()) else {
        let reason = if integration.project.is_none() {
            "no_project"
        } else {
            "integration_needs_attention"
        };
        return park(&worker, &integration, &item, &message, reason).await;
    };
    let (org, pat) = match (integration.org(), integration.pat()) {
        (Ok(o), Ok(p)) => (o, p),
        _ => return Outcome::dead_letter("the integration's stored credentials are unusable"),
    };
    // Wait for the organization's turn before taking anything shared (a database
    // connection, the item's lease): a busy organization's backlog waits behind itself.
    let _admitted = worker
        .admissions
        .admit(&integration.org_key(), priority)
        .await;
    // Another delivery of the same item is usually done within moments: wait for its
    // lease here rather than send this one down the retry ladder — without holding a pool
    // slot meanwhile, which under load would starve the lease's holder.
    let mut waited = std::time::Duration::ZERO;
    let (mut conn, link) = loop {
        let mut conn = match worker.pool.get().await {
            Ok(c) => c,
            Err(err) => return Outcome::retry(format!("database: {err}")),
        };
        let claimed = links::claim(
            &mut conn,
            item.id,
            item.company_id,
            integration.id,
            &integration.org_key(),
            &project,
            worker.lease_until(),
        )
        .await;
        match claimed {
            Ok(Some(link)) => break (conn, link),
            Ok(None) if waited < LEASE_PATIENCE => {
                drop(conn);
                tokio::time::sleep(LEASE_POLL).await;
                waited += LEASE_POLL;
            }
            Ok(None) => return Outcome::retry("another worker holds this action item"),
            Err(err) => return Outcome::retry(format!("database: {err}")),
        }
    };
    let ctx = Ctx {
        worker: &worker,
        integration: &integration,
        org: &org,
        pat: &pat,
        project: &project,
        item: &item,
        priority,
    };
    let result = match kind {
        Kind::Upsert { changed } => ctx.upsert(&mut conn, link, &changed).await,
        Kind::Delete => ctx.delete(&mut conn, link).await,
    };
    match result {
        Ok(outcome) => {
            if outcome == Outcome::Ack {
                // For the "we write, but ADO's service hook never calls" alert.
                metrics::gauge!("sync_last_write_timestamp_seconds", "integration_id" => integration.id.to_string())
                    .set(chrono::Utc::now().timestamp_millis() as f64 / 1000.0);
            }
            outcome
        }
        Err(failure) => {
            // The lease goes back whatever happened; a failure to release only delays the
            // next attempt until the lease expires.
            let _ = links::release(&mut conn, item.id).await;
            ctx.failure(&mut conn, failure, &message).await
        }
    }
}

/// An admin turned the integration off: nothing goes to ADO, and the item says so rather
/// than showing "pending" for ever. Not parked — disabling means "stop", not "later" — so
/// it syncs with its next change once the integration is enabled again. A deletion has no
/// item left to show anything on.
async fn disabled(worker: &Worker, item: &ActionItemV1, kind: &Kind) -> Outcome {
    if matches!(kind, Kind::Delete) {
        return Outcome::Ack;
    }
    let shown = worker
        .failed(
            item.id,
            item.company_id,
            None,
            item.version,
            INTEGRATION_DISABLED,
            "Not sent to Azure DevOps: the company's integration is disabled. The item's \
             next change after an admin enables it again is synced.",
            false,
        )
        .await;
    match shown {
        Ok(()) => Outcome::Ack,
        Err(err) => Outcome::retry(format!("broker: {err}")),
    }
}

/// Parks the message until an admin fixes the integration, and says so on the item.
async fn park(
    worker: &Worker,
    integration: &Integration,
    item: &ActionItemV1,
    message: &IncomingMessage,
    reason: &str,
) -> Outcome {
    let mut conn = match worker.pool.get().await {
        Ok(c) => c,
        Err(err) => return Outcome::retry(format!("database: {err}")),
    };
    if let Err(err) = parked::park(
        &mut conn,
        integration.id,
        &message.body,
        message.message_id.as_deref(),
        reason,
    )
    .await
    {
        return Outcome::retry(format!("database: {err}"));
    }
    metrics::counter!("sync_parked_total", "reason" => reason.to_owned()).increment(1);
    let text = match reason {
        "no_project" => "Waiting for an admin to choose the Azure DevOps project.",
        _ => "Waiting for an admin to fix the Azure DevOps integration (for example a new PAT).",
    };
    // Parked is safe already; a lost status only leaves the item showing "pending".
    let _ = worker
        .failed(
            item.id,
            item.company_id,
            None,
            item.version,
            reason,
            text,
            true,
        )
        .await;
    Outcome::Ack
}

enum Failure {
    Ado(AdoError),
    Database(String),
    Publish(String),
}

impl From<AdoError> for Failure {
    fn from(e: AdoError) -> Self {
        Failure::Ado(e)
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(e: diesel::result::Error) -> Self {
        Failure::Database(e.to_string())
    }
}

impl From<navsync_messaging::PublishError> for Failure {
    fn from(e: navsync_messaging::PublishError) -> Self {
        Failure::Publish(e.to_string())
    }
}

struct Ctx<'a> {
    worker: &'a Worker,
    integration: &'a Integration,
    org: &'a Organization,
    pat: &'a Pat,
    project: &'a str,
    item: &'a ActionItemV1,
    /// A live edit (update or deletion), served before bulk creations.
    priority: bool,
}

impl Ctx<'_> {
    async fn type_info(&self) -> Result<TypeInfo, AdoError> {
        self.worker
            .metadata
            .type_info(
                &self.worker.ado,
                &self.worker.gates,
                self.org,
                self.pat,
                self.project,
                &self.integration.work_item_type,
            )
            .await
    }

    fn web_url(&self, wi: &WorkItem) -> String {
        wi.web_url().unwrap_or_else(|| {
            format!(
                "{}/{}/{}/_workitems/edit/{}",
                self.worker.ado.base_url().trim_end_matches('/'),
                self.org,
                self.project,
                wi.id
            )
        })
    }

    async fn upsert(
        &self,
        conn: &mut AsyncPgConnection,
        mut link: LinkRow,
        changed: &[String],
    ) -> Result<Outcome, Failure> {
        let item = self.item;
        if link.state == links::DELETED || link.state == links::GONE {
            links::release(conn, item.id).await?;
            return Ok(Outcome::Ack);
        }
        if item.version <= link.last_synced_version {
            // No status: the newer version's is already published, and action-items would
            // ignore one for an older version anyway.
            metrics::counter!("sync_outcomes_total", "outcome" => "stale").increment(1);
            links::release(conn, item.id).await?;
            return Ok(Outcome::Ack);
        }
        let info = self.type_info().await?;
        if link.work_item_id.is_none() {
            self.find_or_create(conn, &mut link, &info).await?;
            if link.work_item_id.is_some() && link.last_synced_version == item.version {
                return Ok(Outcome::Ack);
            }
        }
        let Some(work_item_id) = link.work_item_id else {
            return Err(Failure::Database(
                "the work item vanished from the link".into(),
            ));
        };
        // Fields whose change this event reports as made in ADO are ADO's: never sent back.
        let from_ado =
            |field: &str| item.origin == Origin::Ado && changed.iter().any(|c| c == field);
        // While Navigator has not caught up with a change made in ADO that we reported, a
        // value an event only carries is older than ADO's and is not written over it; an
        // edit made in Navigator is newer.
        let edited_here =
            |field: &str| item.origin == Origin::Navigator && changed.iter().any(|c| c == field);
        let sendable =
            |field: &str, behind: bool| !from_ado(field) && (!behind || edited_here(field));
        // A value a lost write may have left in ADO counts as differing too (`unconfirmed`).
        let desired_description = item.description.clone().unwrap_or_default();
        let title_differs = link.known_title.as_deref() != Some(item.title.as_str())
            || unconfirmed::in_doubt(&link, TITLE, &item.title);
        let description_differs = link.known_description.clone().unwrap_or_default()
            != crate::mapping::as_read_back(&desired_description)
            || unconfirmed::in_doubt(&link, DESCRIPTION, &desired_description);
        let known_status = link
            .known_state
            .as_deref()
            .and_then(|s| status_for(s, &info.states, &self.integration.state_mapping));
        let desired_state = state_for(item.status, &info.states, &self.integration.state_mapping);
        let status_differs = known_status != Some(item.status)
            || desired_state
                .as_deref()
                .is_some_and(|state| unconfirmed::in_doubt(&link, STATE, state));
        let is_behind = |reported: Option<i64>, applied: Option<i64>| {
            reported.is_some_and(|reported| applied.unwrap_or(0) < reported)
        };
        let revisions = &item.ado_revisions;
        let behind = Fields {
            title: is_behind(link.title_reported_rev, revisions.title),
            description: is_behind(link.description_reported_rev, revisions.description),
            state: is_behind(link.state_reported_rev, revisions.status),
        };
        let mut ops = Vec::new();
        if title_differs && sendable(changed_field::TITLE, behind.title) {
            ops.push(add(TITLE, json!(item.title)));
            unconfirmed::sending(&mut link, TITLE, &item.title);
        }
        if description_differs && sendable(changed_field::DESCRIPTION, behind.description) {
            ops.push(add(DESCRIPTION, json!(text_to_html(&desired_description))));
            unconfirmed::sending(&mut link, DESCRIPTION, &desired_description);
        }
        if status_differs
            && sendable(changed_field::STATUS, behind.state)
            && let Some(state) = &desired_state
        {
            ops.push(add(STATE, json!(state)));
            unconfirmed::sending(&mut link, STATE, state);
        }
        // ADO's due date and assignee are not read back: they are sent when they differ
        // from what we last set, so a change whose own version failed and was overtaken by
        // a newer one still goes; for a link that predates that record, when named.
        let pending = |sent: &Option<String>, desired: &str, field: &str| match sent {
            Some(sent) => sent != desired,
            None => changed.iter().any(|c| c == field),
        };
        let due = sent_due_date(item);
        let sends_due =
            info.has_field(DUE_DATE) && pending(&link.sent_due_date, &due, changed_field::DUE_DATE);
        if sends_due {
            ops.push(match item.due_date {
                Some(due) => add(DUE_DATE, json!(format!("{due}T00:00:00Z"))),
                // Cleared in Navigator: cleared in ADO too, not left at the old date.
                None => remove(DUE_DATE),
            });
        }
        // An empty value unassigns, as in ADO's own UI.
        let assignee = item.assignee_email.clone().unwrap_or_default();
        let sends_assignee = !from_ado(changed_field::ASSIGNEE_EMAIL)
            && pending(
                &link.sent_assignee,
                &assignee,
                changed_field::ASSIGNEE_EMAIL,
            );
        if sends_assignee {
            ops.push(add(ASSIGNED_TO, json!(assignee)));
        }
        // Recorded once ADO took the write (a refused assignee counts as sent: the sync
        // status says why, and it is not tried again until it changes).
        let record_sent = |link: &mut LinkRow| {
            if sends_due {
                link.sent_due_date = Some(due.clone());
            }
            if sends_assignee {
                link.sent_assignee = Some(assignee.clone());
            }
        };
        if ops.is_empty() {
            // ADO already holds this version: nothing is sent, nothing echoes.
            metrics::counter!("sync_outcomes_total", "outcome" => "unchanged").increment(1);
            link.last_synced_version = item.version;
            let url = link.work_item_url.clone().unwrap_or_default();
            let rev = link.title_rev.unwrap_or(1);
            self.worker
                .synced(
                    item.id,
                    item.company_id,
                    work_item_id,
                    &url,
                    rev,
                    item.version,
                    None,
                )
                .await?;
            links::save_and_release(conn, &link).await?;
            return Ok(Outcome::Ack);
        }
        let wrote = Fields::of(&ops);
        if wrote != Fields::NONE {
            // Durable before the call: its answer may never come (see `unconfirmed`).
            links::save(conn, &link).await?;
        }
        tracing::info!(
            action_item_id = %item.id,
            work_item_id,
            version = item.version,
            origin = ?item.origin,
            changed = ?changed,
            fields = ?ops.iter().filter_map(|op| op["path"].as_str()).collect::<Vec<_>>(),
            "writing the item's changes to ADO"
        );
        let written = self
            .send_dropping_refused_assignee(ops, |ops| async move {
                self.worker
                    .ado
                    .update_work_item(self.org, self.pat, work_item_id, &ops)
                    .await
            })
            .await;
        let (wi, warning) = match written {
            Ok((Some(wi), warning)) => (wi, warning),
            Ok((None, warning)) => {
                // Only the refused assignee was to be sent: ADO stays as it was.
                record_sent(&mut link);
                link.last_synced_version = item.version;
                let url = link.work_item_url.clone().unwrap_or_default();
                let rev = link.title_rev.unwrap_or(1);
                self.worker
                    .synced(
                        item.id,
                        item.company_id,
                        work_item_id,
                        &url,
                        rev,
                        item.version,
                        warning,
                    )
                    .await?;
                links::save_and_release(conn, &link).await?;
                return Ok(Outcome::Ack);
            }
            Err(AdoError::NotFound { .. }) => {
                // Deleted (or hidden) in ADO: its deletion reaches the item through the
                // hook or the reconciler; meanwhile nothing more is sent.
                link.state = links::GONE.to_owned();
                self.worker
                    .failed(
                        item.id,
                        item.company_id,
                        Some(work_item_id),
                        item.version,
                        "work_item_not_found",
                        "The work item no longer exists in Azure DevOps.",
                        false,
                    )
                    .await?;
                links::save_and_release(conn, &link).await?;
                return Ok(Outcome::Ack);
            }
            Err(err) => return Err(err.into()),
        };
        revisions::record(conn, &link.organization, work_item_id, wi.rev).await?;
        crate::hook_watch::wrote(conn, link.company_id, link.integration_id).await;
        unconfirmed::confirmed(&mut link);
        record_sent(&mut link);
        let found = remember(&mut link, &wi, wrote);
        // Someone changed these in ADO since we last knew: reported as if by webhook.
        let mut report = take_newer(
            &mut link,
            found,
            &info.states,
            &self.integration.state_mapping,
        );
        // A Navigator edit written over a change from ADO that Navigator has not applied
        // yet: reported with our write's revision too, so that Navigator, which applies
        // that change when it comes, ends with the newest write as ADO does.
        let overruled = AdoChanges {
            title: (wrote.title && behind.title).then(|| FieldValue {
                value: item.title.clone(),
                rev: wi.rev,
            }),
            description: (wrote.description && behind.description).then(|| FieldValue {
                value: item.description.clone().filter(|d| !d.is_empty()),
                rev: wi.rev,
            }),
            status: (wrote.state && behind.state).then_some(FieldValue {
                value: item.status,
                rev: wi.rev,
            }),
        };
        if !overruled.is_empty() {
            if overruled.title.is_some() {
                link.title_reported_rev = Some(wi.rev);
            }
            if overruled.description.is_some() {
                link.description_reported_rev = Some(wi.rev);
            }
            if overruled.status.is_some() {
                link.state_reported_rev = Some(wi.rev);
            }
            let (changes, rev) = report.get_or_insert_with(|| (AdoChanges::default(), 0));
            changes.title = changes.title.take().or(overruled.title);
            changes.description = changes.description.take().or(overruled.description);
            changes.status = changes.status.take().or(overruled.status);
            *rev = (*rev).max(wi.rev);
        }
        if let Some((changes, rev)) = report {
            self.worker
                .changed_in_ado(
                    item.id,
                    item.company_id,
                    work_item_id,
                    rev,
                    changes,
                    None,
                    None,
                )
                .await?;
        }
        link.last_synced_version = item.version;
        let url = self.web_url(&wi);
        link.work_item_url = Some(url.clone());
        self.worker
            .synced(
                item.id,
                item.company_id,
                work_item_id,
                &url,
                wi.rev,
                item.version,
                warning,
            )
            .await?;
        links::save_and_release(conn, &link).await?;
        Ok(Outcome::Ack)
    }

    /// Adopts the work item of an earlier create whose answer was lost, or creates one.
    async fn find_or_create(
        &self,
        conn: &mut AsyncPgConnection,
        link: &mut LinkRow,
        info: &TypeInfo,
    ) -> Result<(), Failure> {
        let item = self.item;
        if link.create_attempted_at.is_some()
            && let Some(wi) = self.find_by_marker().await?
        {
            metrics::counter!("sync_creates_total", "outcome" => "adopted").increment(1);
            self.link_to(conn, link, &wi).await?;
            // Adopted as ADO holds it; the update path then sends what differs.
            return Ok(());
        }
        link.create_attempted_at = Some(navsync_platform::db::now());
        links::save(conn, link).await?;
        let mut ops = vec![
            add("System.Title", json!(item.title)),
            add(
                "System.Tags",
                json!(format!("{NAVIGATOR_TAG}; {}", marker(item))),
            ),
            json!({"op": "add", "path": "/relations/-", "value": {
                "rel": "Hyperlink",
                "url": format!("{}/action-items/{}", self.worker.navigator_url.trim_end_matches('/'), item.id),
            }}),
        ];
        if let Some(description) = item.description.as_deref().filter(|d| !d.is_empty()) {
            ops.push(add("System.Description", json!(text_to_html(description))));
        }
        if let Some(state) = state_for(item.status, &info.states, &self.integration.state_mapping) {
            ops.push(add("System.State", json!(state)));
        }
        if info.has_field(DUE_DATE)
            && let Some(due) = item.due_date
        {
            ops.push(add(DUE_DATE, json!(format!("{due}T00:00:00Z"))));
        }
        if let Some(email) = item.assignee_email.as_deref().filter(|e| !e.is_empty()) {
            ops.push(add(ASSIGNED_TO, json!(email)));
        }
        let (wi, warning) = self
            .send_dropping_refused_assignee(ops, |ops| async move {
                self.worker
                    .ado
                    .create_work_item(
                        self.org,
                        self.pat,
                        self.project,
                        &self.integration.work_item_type,
                        &ops,
                    )
                    .await
            })
            .await?;
        // A create always carries a title, so something was sent.
        let Some(wi) = wi else {
            return Err(Failure::Database("a create sent nothing".into()));
        };
        metrics::counter!("sync_creates_total", "outcome" => "created").increment(1);
        self.link_to(conn, link, &wi).await?;
        // What the create set (nothing for a field the type lacks is nothing to track).
        if info.has_field(DUE_DATE) {
            link.sent_due_date = Some(sent_due_date(item));
        }
        link.sent_assignee = Some(item.assignee_email.clone().unwrap_or_default());
        link.last_synced_version = item.version;
        let url = link.work_item_url.clone().unwrap_or_default();
        self.worker
            .synced(
                item.id,
                item.company_id,
                wi.id,
                &url,
                wi.rev,
                item.version,
                warning,
            )
            .await?;
        links::save_and_release(conn, link).await?;
        Ok(())
    }

    /// Sends `ops` through the organization's gate. When ADO refuses only the assignee
    /// (not a user of the organization), the rest is sent without it and the warning says
    /// why: an unknown assignee must not hold back the title, state or description.
    /// `None` when nothing was left to send.
    async fn send_dropping_refused_assignee<F, Fut>(
        &self,
        ops: Vec<Value>,
        send: F,
    ) -> Result<(Option<WorkItem>, Option<SyncError>), AdoError>
    where
        F: Fn(Vec<Value>) -> Fut,
        Fut: std::future::Future<Output = Result<WorkItem, AdoError>>,
    {
        let send = &send;
        let call = |ops: Vec<Value>| {
            self.worker.gates.call(
                self.org.as_str(),
                self.priority,
                || self.worker.ado.rate_budget(self.org),
                move || send(ops.clone()),
            )
        };
        let has_assignee = ops.iter().any(is_assignee_op);
        match call(ops.clone()).await {
            Ok(wi) => Ok((Some(wi), None)),
            Err(err) if has_assignee && refuses_assignee(&err) => {
                metrics::counter!("sync_assignee_refused_total").increment(1);
                let email = self.item.assignee_email.clone().unwrap_or_default();
                let warning = Some(assignee_warning(&email, self.org));
                let rest: Vec<Value> = ops.into_iter().filter(|op| !is_assignee_op(op)).collect();
                if rest.is_empty() {
                    return Ok((None, warning));
                }
                Ok((Some(call(rest).await?), warning))
            }
            Err(err) => Err(err),
        }
    }

    async fn find_by_marker(&self) -> Result<Option<WorkItem>, AdoError> {
        let query = format!(
            "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project \
             AND [System.Tags] CONTAINS '{}'",
            marker(self.item)
        );
        let ids = self
            .worker
            .gates
            .call(
                self.org.as_str(),
                self.priority,
                || self.worker.ado.rate_budget(self.org),
                || {
                    self.worker
                        .ado
                        .wiql_ids(self.org, self.pat, self.project, &query)
                },
            )
            .await?;
        let Some(id) = ids.into_iter().min() else {
            return Ok(None);
        };
        self.worker
            .gates
            .call(
                self.org.as_str(),
                self.priority,
                || self.worker.ado.rate_budget(self.org),
                || self.worker.ado.get_work_item(self.org, self.pat, id),
            )
            .await
            .map(Some)
    }

    async fn link_to(
        &self,
        conn: &mut AsyncPgConnection,
        link: &mut LinkRow,
        wi: &WorkItem,
    ) -> Result<(), Failure> {
        revisions::record(conn, &link.organization, wi.id, wi.rev).await?;
        crate::hook_watch::wrote(conn, link.company_id, link.integration_id).await;
        link.work_item_id = Some(wi.id);
        link.work_item_url = Some(self.web_url(wi));
        link.state = links::LINKED.to_owned();
        // Nothing was known before: all of it is what the link starts from.
        remember(link, wi, Fields::ALL);
        Ok(())
    }

    async fn delete(
        &self,
        conn: &mut AsyncPgConnection,
        mut link: LinkRow,
    ) -> Result<Outcome, Failure> {
        if link.work_item_id.is_none()
            && link.create_attempted_at.is_some()
            && let Some(wi) = self.find_by_marker().await?
        {
            self.link_to(conn, &mut link, &wi).await?;
        }
        let Some(work_item_id) = link.work_item_id.filter(|_| link.state == links::LINKED) else {
            link.state = links::DELETED.to_owned();
            links::save_and_release(conn, &link).await?;
            return Ok(Outcome::Ack);
        };
        let gates = &self.worker.gates;
        let ado = &self.worker.ado;
        if self.integration.on_action_item_deleted == "recycle" {
            match gates
                .call(
                    self.org.as_str(),
                    self.priority,
                    || self.worker.ado.rate_budget(self.org),
                    || ado.delete_work_item(self.org, self.pat, work_item_id),
                )
                .await
            {
                Ok(()) | Err(AdoError::NotFound { .. }) => {}
                Err(err) => return Err(err.into()),
            }
        } else {
            let current = match gates
                .call(
                    self.org.as_str(),
                    self.priority,
                    || self.worker.ado.rate_budget(self.org),
                    || ado.get_work_item(self.org, self.pat, work_item_id),
                )
                .await
            {
                Ok(wi) => Some(wi),
                Err(AdoError::NotFound { .. }) => None,
                Err(err) => return Err(err.into()),
            };
            if let Some(current) = current {
                let tags = current.field_str("System.Tags").unwrap_or_default();
                if !tags.split(';').any(|t| t.trim() == DELETED_TAG) {
                    let ops = [add(
                        "System.Tags",
                        json!(if tags.is_empty() {
                            DELETED_TAG.to_owned()
                        } else {
                            format!("{tags}; {DELETED_TAG}")
                        }),
                    )];
                    let wi = gates
                        .call(
                            self.org.as_str(),
                            self.priority,
                            || self.worker.ado.rate_budget(self.org),
                            || ado.update_work_item(self.org, self.pat, work_item_id, &ops),
                        )
                        .await?;
                    revisions::record(conn, &link.organization, work_item_id, wi.rev).await?;
                }
            }
        }
        link.state = links::DELETED.to_owned();
        links::save_and_release(conn, &link).await?;
        Ok(Outcome::Ack)
    }

    /// What a failure means for the message, after the lease was given back.
    async fn failure(
        &self,
        conn: &mut AsyncPgConnection,
        failure: Failure,
        message: &IncomingMessage,
    ) -> Outcome {
        let item = self.item;
        match failure {
            Failure::Database(e) => Outcome::retry(format!("database: {e}")),
            Failure::Publish(e) => Outcome::retry(format!("broker: {e}")),
            Failure::Ado(AdoError::PatRejected) | Failure::Ado(AdoError::Forbidden { .. }) => {
                if let Err(e) = self
                    .worker
                    .directory
                    .needs_attention(self.integration, "pat_rejected")
                    .await
                {
                    return Outcome::retry(e.to_string());
                }
                park(self.worker, self.integration, item, message, "pat_rejected").await
            }
            Failure::Ado(AdoError::BadRequest { message, .. }) => {
                self.refused(conn, "ado_bad_request", &message).await
            }
            Failure::Ado(AdoError::NotFound { message }) => {
                self.refused(conn, "ado_not_found", &message).await
            }
            Failure::Ado(err) => Outcome::retry(format!("ADO: {err}")),
        }
    }

    /// ADO refused the content, or the project or type is not there: show it on the item
    /// (ADO's own words); the next change tries again.
    async fn refused(
        &self,
        conn: &mut AsyncPgConnection,
        code: &str,
        ado_message: &str,
    ) -> Outcome {
        let item = self.item;
        let _ = links::delete_unlinked(conn, item.id).await;
        match self
            .worker
            .failed(
                item.id,
                item.company_id,
                None,
                item.version,
                code,
                ado_message,
                false,
            )
            .await
        {
            Ok(()) => Outcome::Ack,
            Err(e) => Outcome::retry(format!("broker: {e}")),
        }
    }
}

/// A flag for each field ADO reports back to Navigator: which a write set, or on which
/// Navigator is behind ADO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fields {
    title: bool,
    description: bool,
    state: bool,
}

impl Fields {
    /// A create, or a work item found by its marker: everything known comes from it.
    const ALL: Fields = Fields {
        title: true,
        description: true,
        state: true,
    };
    const NONE: Fields = Fields {
        title: false,
        description: false,
        state: false,
    };

    fn of(ops: &[Value]) -> Self {
        let sets = |field: &str| {
            let path = format!("/fields/{field}");
            ops.iter().any(|op| op["path"] == path.as_str())
        };
        Self {
            title: sets(TITLE),
            description: sets(DESCRIPTION),
            state: sets(STATE),
        }
    }
}

/// Records what ADO holds after our write `wi`, field by field, with the revision. A field
/// the write did not set that differs from what we knew was changed in ADO by someone else
/// meanwhile: it is not recorded as ours but returned, to be reported as that person's
/// change. Recording it would supersede the change's own webhook when it comes, and the
/// edit would never reach Navigator.
fn remember(link: &mut LinkRow, wi: &WorkItem, wrote: Fields) -> Vec<Candidate<'static>> {
    let rev = Some(wi.rev);
    let mut found = Vec::new();
    if let Some(title) = wi.field_str(TITLE)
        && link.known_title.as_deref() != Some(title)
    {
        if wrote.title || link.known_title.is_none() {
            link.title_rev = rev;
            link.known_title = Some(title.to_owned());
        } else {
            found.push((TITLE, Some(title.to_owned()), wi.rev));
        }
    }
    let html = wi.field_str(DESCRIPTION);
    let description = html.map(crate::mapping::html_to_text).unwrap_or_default();
    if link.known_description.clone().unwrap_or_default() != description
        || link.description_rev.is_none()
    {
        if wrote.description || link.description_rev.is_none() {
            link.description_rev = rev;
            link.known_description = Some(description);
        } else {
            found.push((DESCRIPTION, html.map(str::to_owned), wi.rev));
        }
    }
    if let Some(state) = wi.field_str(STATE)
        && link.known_state.as_deref() != Some(state)
    {
        if wrote.state || link.known_state.is_none() {
            link.state_rev = rev;
            link.known_state = Some(state.to_owned());
        } else {
            found.push((STATE, Some(state.to_owned()), wi.rev));
        }
    }
    found
}

/// The due date as recorded in `sent_due_date`: `YYYY-MM-DD`, or `""` for none.
fn sent_due_date(item: &ActionItemV1) -> String {
    item.due_date.map(|d| d.to_string()).unwrap_or_default()
}

/// Sets a field; ADO's `add` on a field that has a value replaces it.
fn add(field: &str, value: Value) -> Value {
    json!({"op": "add", "path": format!("/fields/{field}"), "value": value})
}

/// Clears a field (ADO accepts it on a field that has no value).
fn remove(field: &str) -> Value {
    json!({"op": "remove", "path": format!("/fields/{field}")})
}
