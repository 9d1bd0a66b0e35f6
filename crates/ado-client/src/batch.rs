//! Reading many work items in one request (`POST {org}/_apis/wit/workitemsbatch`, at most
//! 200 ids): what a periodic check of every tracked work item uses, so it costs one call
//! per 200 items instead of one per item. Separate from `work_items` because its answer
//! is partial by design (`errorPolicy: omit`): a deleted work item is simply absent.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::client::AdoClient;
use crate::work_items::WorkItem;
use crate::{AdoError, Organization, Pat};

/// ADO's cap on the ids of one batch request.
pub const MAX_BATCH: usize = 200;

#[derive(Deserialize)]
struct BatchAnswer {
    #[serde(default)]
    value: Vec<Option<WorkItem>>,
}

impl AdoClient {
    /// The work items of `ids` that exist and the PAT may read, with `fields` only (all
    /// fields when empty). Ids in the recycle bin (or unknown) are absent from the answer,
    /// not an error. More than [`MAX_BATCH`] ids is a `BadRequest` without a call.
    pub async fn get_work_items_batch(
        &self,
        org: &Organization,
        pat: &Pat,
        ids: &[i64],
        fields: &[&str],
    ) -> Result<Vec<WorkItem>, AdoError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if ids.len() > MAX_BATCH {
            return Err(AdoError::BadRequest {
                message: format!("at most {MAX_BATCH} ids per batch"),
                type_key: String::new(),
            });
        }
        let mut body = json!({"ids": ids, "errorPolicy": "omit"});
        if !fields.is_empty() {
            body["fields"] = json!(fields);
        }
        let bytes = serde_json::to_vec(&body).map_err(|e| AdoError::Unexpected {
            status: 0,
            message: e.to_string(),
        })?;
        let url = self.url(&[org.as_str(), "_apis", "wit", "workitemsbatch"]);
        let answer: BatchAnswer = self
            .send_json(Method::POST, url, pat, Some(("application/json", bytes)))
            .await?;
        Ok(answer.value.into_iter().flatten().collect())
    }
}
