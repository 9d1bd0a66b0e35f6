//! Checks an organization and a PAT against ADO, in the order of `shared/ado/ADO.md`:
//! the organization exists (asked anonymously, so a PAT never goes to a mistyped
//! organization), the PAT authenticates, and it can read projects. Transient failures get
//! one short retry, then become `ado_unavailable`.

use std::time::Duration;

use actix_web::http::StatusCode;
use backon::{ExponentialBuilder, Retryable};
use navsync_ado_client::{AdoClient, AdoError, Organization, Pat, Project, WorkItemType};
use navsync_platform::ApiError;

/// What a successful check learned.
#[derive(Debug)]
pub struct Verified {
    pub projects: Vec<Project>,
}

fn one_short_retry() -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_times(1)
        .with_jitter()
}

async fn with_retry<T, F, Fut>(call: F) -> Result<T, AdoError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AdoError>>,
{
    call.retry(one_short_retry())
        .when(AdoError::is_transient)
        .await
}

pub async fn verify(ado: &AdoClient, org: &Organization, pat: &Pat) -> Result<Verified, ApiError> {
    let exists = with_retry(|| ado.organization_exists(org))
        .await
        .map_err(|e| ado_error(e, Step::Organization))?;
    if !exists {
        return Err(organization_not_found(org));
    }
    with_retry(|| ado.connection_data(org, pat))
        .await
        .map_err(|e| ado_error(e, Step::Authenticate))?;
    let projects = list_projects(ado, org, pat).await?;
    Ok(Verified { projects })
}

/// The organization's projects with a PAT already known to authenticate.
pub async fn list_projects(
    ado: &AdoClient,
    org: &Organization,
    pat: &Pat,
) -> Result<Vec<Project>, ApiError> {
    with_retry(|| ado.list_projects(org, pat))
        .await
        .map_err(|e| ado_error(e, Step::ReadProjects))
}

/// The work item types `project` offers, enabled ones only, with a stored PAT.
pub async fn list_work_item_types(
    ado: &AdoClient,
    org: &Organization,
    pat: &Pat,
    project: &str,
) -> Result<Vec<WorkItemType>, ApiError> {
    let types = with_retry(|| ado.list_work_item_types(org, pat, project))
        .await
        .map_err(|e| ado_error(e, Step::ReadTypes))?;
    Ok(types.into_iter().filter(|t| !t.is_disabled).collect())
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Organization,
    Authenticate,
    ReadProjects,
    ReadTypes,
}

fn organization_not_found(org: &Organization) -> ApiError {
    ApiError::bad_request(
        "organization_not_found",
        format!("Azure DevOps has no organization named {org}."),
    )
}

fn pat_insufficient_scope() -> ApiError {
    ApiError::bad_request(
        "pat_insufficient_scope",
        "The Personal Access Token works but lacks a needed scope: it needs \"Project and Team: Read\" and \"Work Items: Read & write\".",
    )
}

fn ado_error(err: AdoError, step: Step) -> ApiError {
    match (err, step) {
        // A PAT that authenticated a moment ago and is refused on projects lacks the
        // scope: real ADO answers 401 there, not 403.
        (AdoError::PatRejected, Step::ReadProjects | Step::ReadTypes)
        | (AdoError::Forbidden { .. }, _) => pat_insufficient_scope(),
        (AdoError::NotFound { .. }, Step::ReadTypes) => ApiError::unprocessable(
            "project_not_found",
            "The organization has no project of that name or id.",
        ),
        (AdoError::PatRejected, _) => ApiError::bad_request(
            "pat_rejected",
            "Azure DevOps rejected the Personal Access Token: it may be mistyped, expired or revoked.",
        ),
        (AdoError::NotFound { .. }, Step::Authenticate) => ApiError::bad_request(
            "organization_not_found",
            "Azure DevOps has no such organization.",
        ),
        (err, _) => {
            tracing::warn!(error = %err, ?step, "ADO unavailable during validation");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "ado_unavailable",
                "Azure DevOps could not be reached or failed; try again in a minute.",
            )
        }
    }
}
