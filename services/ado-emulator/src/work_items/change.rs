//! What a committed change is, for whoever reacts to it: the event kind it fires
//! (`workitem.created`, `.updated`, ...), the work item after it, who made it and when,
//! and for an update the old and new value of everything that changed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Relation, WorkItem};
use crate::state::Identity;

/// The service hook event a change fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Created,
    Updated,
    Deleted,
    Restored,
    Commented,
}

impl EventKind {
    pub(crate) const ALL: [Self; 5] = [
        Self::Created,
        Self::Updated,
        Self::Deleted,
        Self::Restored,
        Self::Commented,
    ];

    pub(crate) fn event_type(self) -> &'static str {
        match self {
            Self::Created => "workitem.created",
            Self::Updated => "workitem.updated",
            Self::Deleted => "workitem.deleted",
            Self::Restored => "workitem.restored",
            Self::Commented => "workitem.commented",
        }
    }

    pub(crate) fn verb(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
            Self::Restored => "restored",
            Self::Commented => "commented on",
        }
    }

    pub(crate) fn parse(event_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.event_type().eq_ignore_ascii_case(event_type.trim()))
    }
}

/// One committed change, as the service hooks need it.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub(crate) kind: EventKind,
    /// The work item after the change.
    pub(crate) item: WorkItem,
    pub(crate) actor: Identity,
    pub(crate) at: DateTime<Utc>,
    /// What a `workitem.updated` reports as changed.
    pub(crate) update: Option<Update>,
}

/// Old and new values of what one revision changed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Update {
    pub(crate) fields: BTreeMap<String, (Option<Value>, Option<Value>)>,
    pub(crate) relations_added: Vec<Relation>,
    pub(crate) relations_removed: Vec<Relation>,
}
