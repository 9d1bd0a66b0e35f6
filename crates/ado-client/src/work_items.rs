//! Work items: create, read, update, delete, WIQL, and the per-type metadata (states with
//! their categories, fields) that mapping needs. Bodies are JSON Patch documents built by
//! the caller.

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::client::AdoClient;
use crate::{AdoError, Organization, Pat};

const JSON_PATCH: &str = "application/json-patch+json";

/// A work item as the REST API answers it.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkItem {
    pub id: i64,
    pub rev: i64,
    #[serde(default)]
    pub fields: serde_json::Map<String, Value>,
    #[serde(default)]
    pub url: String,
    #[serde(default, rename = "_links")]
    pub links: Value,
}

impl WorkItem {
    pub fn field_str(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }

    /// The page a person opens, when ADO sent it.
    pub fn web_url(&self) -> Option<String> {
        self.links
            .pointer("/html/href")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

/// One state of a work item type and its category (Proposed, InProgress, Resolved,
/// Completed, Removed): processes are customised and localised, so mapping goes by
/// category, never by name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WorkItemState {
    pub name: String,
    pub category: String,
}

/// A work item type a project offers (`Task`, `User Story`, …), as the type list answers it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct WorkItemType {
    pub name: String,
    #[serde(default, rename(deserialize = "referenceName"))]
    pub reference_name: String,
    #[serde(default, rename(deserialize = "isDisabled"))]
    pub is_disabled: bool,
}

#[derive(Deserialize)]
struct ListOf<T> {
    value: Vec<T>,
}

#[derive(Deserialize)]
struct WiqlAnswer {
    #[serde(default, rename = "workItems")]
    work_items: Vec<WiqlRef>,
}

#[derive(Deserialize)]
struct WiqlRef {
    id: i64,
}

#[derive(Deserialize)]
struct TypeWithFields {
    #[serde(default)]
    fields: Vec<TypeField>,
}

#[derive(Deserialize)]
struct TypeField {
    #[serde(rename = "referenceName")]
    reference_name: String,
}

fn patch_body(ops: &[Value]) -> Result<(&'static str, Vec<u8>), AdoError> {
    serde_json::to_vec(ops)
        .map(|bytes| (JSON_PATCH, bytes))
        .map_err(|e| AdoError::Unexpected {
            status: 0,
            message: e.to_string(),
        })
}

impl AdoClient {
    /// Creates a work item of `work_item_type` in `project` from JSON Patch `ops`.
    pub async fn create_work_item(
        &self,
        org: &Organization,
        pat: &Pat,
        project: &str,
        work_item_type: &str,
        ops: &[Value],
    ) -> Result<WorkItem, AdoError> {
        let type_segment = format!("${work_item_type}");
        let url = self.url(&[
            org.as_str(),
            project,
            "_apis",
            "wit",
            "workitems",
            &type_segment,
        ]);
        self.send_json(Method::POST, url, pat, Some(patch_body(ops)?))
            .await
    }

    pub async fn get_work_item(
        &self,
        org: &Organization,
        pat: &Pat,
        id: i64,
    ) -> Result<WorkItem, AdoError> {
        let url = self.url(&[org.as_str(), "_apis", "wit", "workitems", &id.to_string()]);
        self.get_json(url, pat).await
    }

    /// Applies JSON Patch `ops`; start them with a `test` of `/rev` for optimistic
    /// concurrency (a stale rev is `PreconditionFailed`).
    pub async fn update_work_item(
        &self,
        org: &Organization,
        pat: &Pat,
        id: i64,
        ops: &[Value],
    ) -> Result<WorkItem, AdoError> {
        let url = self.url(&[org.as_str(), "_apis", "wit", "workitems", &id.to_string()]);
        self.send_json(Method::PATCH, url, pat, Some(patch_body(ops)?))
            .await
    }

    /// Sends the work item to the recycle bin (never `destroy`).
    pub async fn delete_work_item(
        &self,
        org: &Organization,
        pat: &Pat,
        id: i64,
    ) -> Result<(), AdoError> {
        let url = self.url(&[org.as_str(), "_apis", "wit", "workitems", &id.to_string()]);
        self.send_json::<Value>(Method::DELETE, url, pat, None)
            .await
            .map(|_| ())
    }

    /// The ids a WIQL query selects in `project`.
    pub async fn wiql_ids(
        &self,
        org: &Organization,
        pat: &Pat,
        project: &str,
        query: &str,
    ) -> Result<Vec<i64>, AdoError> {
        let url = self.url(&[org.as_str(), project, "_apis", "wit", "wiql"]);
        let body = serde_json::to_vec(&serde_json::json!({ "query": query })).map_err(|e| {
            AdoError::Unexpected {
                status: 0,
                message: e.to_string(),
            }
        })?;
        let answer: WiqlAnswer = self
            .send_json(Method::POST, url, pat, Some(("application/json", body)))
            .await?;
        Ok(answer.work_items.into_iter().map(|w| w.id).collect())
    }

    /// The work item types of `project` (needs "Work Items: Read").
    pub async fn list_work_item_types(
        &self,
        org: &Organization,
        pat: &Pat,
        project: &str,
    ) -> Result<Vec<WorkItemType>, AdoError> {
        let url = self.url(&[org.as_str(), project, "_apis", "wit", "workitemtypes"]);
        let list: ListOf<WorkItemType> = self.get_json(url, pat).await?;
        Ok(list.value)
    }

    pub async fn work_item_type_states(
        &self,
        org: &Organization,
        pat: &Pat,
        project: &str,
        work_item_type: &str,
    ) -> Result<Vec<WorkItemState>, AdoError> {
        let url = self.url(&[
            org.as_str(),
            project,
            "_apis",
            "wit",
            "workitemtypes",
            work_item_type,
            "states",
        ]);
        let list: ListOf<WorkItemState> = self.get_json(url, pat).await?;
        Ok(list.value)
    }

    /// Reference names of the fields the type has (`Microsoft.VSTS.Scheduling.DueDate`, …).
    pub async fn work_item_type_fields(
        &self,
        org: &Organization,
        pat: &Pat,
        project: &str,
        work_item_type: &str,
    ) -> Result<Vec<String>, AdoError> {
        let mut url = self.url(&[
            org.as_str(),
            project,
            "_apis",
            "wit",
            "workitemtypes",
            work_item_type,
        ]);
        url.query_pairs_mut().append_pair("$expand", "fields");
        let answer: TypeWithFields = self.get_json(url, pat).await?;
        Ok(answer
            .fields
            .into_iter()
            .map(|f| f.reference_name)
            .collect())
    }
}
