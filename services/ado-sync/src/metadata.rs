//! Per organization, project and type: the states with their categories and the fields
//! the type has, read from ADO and kept for a while (they change rarely).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use navsync_ado_client::{AdoClient, AdoError, Organization, Pat, WorkItemState};

use crate::gate::Gates;

const TTL: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
pub struct TypeInfo {
    pub states: Vec<WorkItemState>,
    pub fields: Vec<String>,
}

impl TypeInfo {
    pub fn has_field(&self, reference_name: &str) -> bool {
        self.fields
            .iter()
            .any(|f| f.eq_ignore_ascii_case(reference_name))
    }
}

/// Organization, project and type, lower case.
type TypeKey = (String, String, String);

#[derive(Default)]
pub struct Metadata {
    cache: Mutex<HashMap<TypeKey, (Instant, TypeInfo)>>,
}

impl Metadata {
    pub async fn type_info(
        &self,
        ado: &AdoClient,
        gates: &Gates,
        org: &Organization,
        pat: &Pat,
        project: &str,
        work_item_type: &str,
    ) -> Result<TypeInfo, AdoError> {
        let key = (
            org.as_str().to_ascii_lowercase(),
            project.to_ascii_lowercase(),
            work_item_type.to_ascii_lowercase(),
        );
        if let Ok(cache) = self.cache.lock()
            && let Some((at, info)) = cache.get(&key)
            && at.elapsed() < TTL
        {
            return Ok(info.clone());
        }
        let states = gates
            .call(
                org.as_str(),
                false,
                || ado.rate_budget(org),
                || ado.work_item_type_states(org, pat, project, work_item_type),
            )
            .await?;
        let fields = gates
            .call(
                org.as_str(),
                false,
                || ado.rate_budget(org),
                || ado.work_item_type_fields(org, pat, project, work_item_type),
            )
            .await?;
        let info = TypeInfo { states, fields };
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, (Instant::now(), info.clone()));
        }
        Ok(info)
    }
}
