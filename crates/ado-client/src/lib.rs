//! Azure DevOps as navsync sees it: validated organization names and PATs, and a client
//! whose every answer — including ADO's three ways of saying "PAT rejected" — becomes a
//! typed result. See `shared/ado/ADO.md` for the behaviours this encodes.
#![forbid(unsafe_code)]

mod batch;
mod client;
mod error;
mod hooks;
mod organization;
mod pat;
mod rate_book;
mod traced;
mod work_items;

pub use batch::MAX_BATCH;
pub use client::{AdoClient, ConnectionData, Project};
pub use error::AdoError;
pub use hooks::{HookSubscription, NewHookSubscription};
pub use organization::{InvalidOrganization, Organization};
pub use pat::{InvalidPat, MAX_PAT_LEN, Pat, hint_of};
pub use rate_book::Budget;
pub use work_items::{WorkItem, WorkItemState, WorkItemType};
