//! ADO's Core and Location routes: `resourceAreas` (does the organization exist?),
//! `connectionData` (does the PAT work, and whose is it?) and `projects` (what may it see?)
//! — the three calls of ADO.md's "Validating an organization and a PAT".

use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use chrono::SecondsFormat;
use serde_json::{Value, json};

use super::access::{Needs, READ_PROJECTS, authorize};
use super::{base_url, query_param};
use crate::ado_error::AdoError;
use crate::api_version;
use crate::emulator::Emulator;
use crate::ids::stable_uuid;
use crate::seed::Process;
use crate::state::{Identity, Organization, Project};

/// The Core resource area, whose location is the organization's URL.
const CORE_AREA: &str = "79134c72-4a58-4b42-976c-04e7115f32bf";
/// The service owner id of Azure DevOps's TFS service in `locationServiceData`.
const TFS_SERVICE_OWNER: &str = "00025394-6065-48ca-87d9-7f5672854ef7";

/// Paths are matched in lowercase after `_apis` (see [`crate::pipeline`]), as ADO
/// matches them in any case.
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/_apis/resourceareas/{area}", web::get().to(resource_area))
        .route(
            "/{org}/_apis/connectiondata",
            web::get().to(connection_data),
        )
        .route("/{org}/_apis/projects", web::get().to(list_projects))
        .route(
            "/{org}/_apis/projects/{project}",
            web::get().to(get_project),
        );
}

/// Runs `answer` for an authorized request, under the state lock.
fn org_call<T>(
    req: &HttpRequest,
    emulator: &Emulator,
    org_name: &str,
    needs: Needs,
    answer: impl FnOnce(&Organization, &Identity) -> T,
) -> Result<T, actix_web::Error> {
    let state = emulator.state().lock();
    let org = state
        .org(org_name)
        .ok_or_else(|| AdoError::organization_not_found(org_name))?;
    let identity = authorize(req, org, &needs)?;
    Ok(answer(org, &identity))
}

async fn resource_area(
    req: HttpRequest,
    area: web::Path<String>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, actix_web::Error> {
    api_version::require(&req)?;
    // ADO answers 200 with `null`, not 404, for anything it does not know here.
    if !area.eq_ignore_ascii_case(CORE_AREA) {
        return Ok(HttpResponse::Ok().json(Value::Null));
    }
    let base = base_url(&req);
    let account =
        query_param(&req, "accountName").or_else(|| query_param(&req, "organizationName"));
    let location = match account {
        None => Some(format!("{base}/")),
        Some(name) => {
            let state = emulator.state().lock();
            state.org(&name).map(|org| format!("{base}/{}/", org.name))
        }
    };
    Ok(HttpResponse::Ok().json(match location {
        Some(url) => json!({"id": CORE_AREA, "name": "Core", "locationUrl": url}),
        None => Value::Null,
    }))
}

async fn connection_data(
    req: HttpRequest,
    org: web::Path<String>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, actix_web::Error> {
    let base = base_url(&req);
    let needs = Needs {
        // The one `_apis` call that works without an api-version.
        api_version: false,
        scope: None,
    };
    let body = org_call(&req, &emulator, &org, needs, |org, identity| {
        let user = identity_json(identity);
        json!({
            "authenticatedUser": user,
            "authorizedUser": user,
            "instanceId": org.instance_id,
            "deploymentId": stable_uuid(&["deployment"]),
            "deploymentType": "hosted",
            "locationServiceData": {
                "serviceOwner": TFS_SERVICE_OWNER,
                "defaultAccessMappingMoniker": "PublicAccessMapping",
                "lastChangeId": 1,
                "lastChangeId64": 1,
                "accessMappings": [{
                    "displayName": "Public Access Mapping",
                    "moniker": "PublicAccessMapping",
                    "accessPoint": format!("{base}/{}/", org.name),
                    "serviceOwner": TFS_SERVICE_OWNER,
                    "virtualDirectory": "",
                }],
            },
        })
    })?;
    Ok(HttpResponse::Ok().json(body))
}

fn identity_json(identity: &Identity) -> Value {
    let tenant = stable_uuid(&["tenant"]);
    let subject = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(identity.id.as_bytes());
    json!({
        "id": identity.id,
        "descriptor": format!(
            "Microsoft.IdentityModel.Claims.ClaimsIdentity;{tenant}\\{}",
            identity.unique_name
        ),
        "subjectDescriptor": format!("aad.{subject}"),
        "providerDisplayName": identity.display_name,
        "isActive": true,
        "properties": {
            "Account": {"$type": "System.String", "$value": identity.unique_name},
        },
        "resourceVersion": 2,
        "metaTypeId": 0,
    })
}

async fn list_projects(
    req: HttpRequest,
    org: web::Path<String>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, actix_web::Error> {
    let base = base_url(&req);
    let number = |name| query_param(&req, name).and_then(|v| v.parse::<usize>().ok());
    let (skip, top) = (
        number("$skip").unwrap_or(0),
        number("$top").unwrap_or(usize::MAX),
    );
    let body = org_call(&req, &emulator, &org, READ_PROJECTS, |org, _| {
        let value: Vec<Value> = org
            .projects
            .iter()
            .skip(skip)
            .take(top)
            .map(|p| project_json(&base, org, p))
            .collect();
        json!({"count": value.len(), "value": value})
    })?;
    Ok(HttpResponse::Ok().json(body))
}

async fn get_project(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    emulator: web::Data<Emulator>,
) -> Result<HttpResponse, actix_web::Error> {
    let (org, id_or_name) = path.into_inner();
    let base = base_url(&req);
    let capabilities =
        query_param(&req, "includeCapabilities").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let body = org_call(&req, &emulator, &org, READ_PROJECTS, |org, _| {
        let project = org
            .project(&id_or_name)
            .ok_or_else(|| AdoError::project_not_found(&id_or_name))?;
        let mut body = project_json(&base, org, project);
        let self_url = format!("{base}/{}/_apis/projects/{}", org.name, project.id);
        let team_id = stable_uuid(&["team", &project.id.to_string()]);
        body["_links"] = json!({
            "self": {"href": self_url},
            "collection": {"href": format!("{base}/{}/_apis/projectCollections/{}", org.name, org.instance_id)},
            "web": {"href": format!("{base}/{}/{}", org.name, project.name)},
        });
        body["defaultTeam"] = json!({
            "id": team_id,
            "name": format!("{} Team", project.name),
            "url": format!("{self_url}/teams/{team_id}"),
        });
        if capabilities {
            body["capabilities"] = json!({
                "processTemplate": {
                    "templateName": org.process.as_str(),
                    "templateTypeId": process_template_id(org.process),
                },
                "versioncontrol": {"sourceControlType": "Git", "gitEnabled": "true", "tfvcEnabled": "false"},
            });
        }
        Ok::<_, AdoError>(body)
    })??;
    Ok(HttpResponse::Ok().json(body))
}

/// A project as the list and the single get both show it. Like ADO, `description` is
/// left out when the project has none.
fn project_json(base: &str, org: &Organization, project: &Project) -> Value {
    let mut body = json!({
        "id": project.id,
        "name": project.name,
        "url": format!("{base}/{}/_apis/projects/{}", org.name, project.id),
        "state": "wellFormed",
        "revision": project.revision,
        "visibility": "private",
        "lastUpdateTime": project.last_update_time.to_rfc3339_opts(SecondsFormat::Millis, true),
    });
    if !project.description.is_empty() {
        body["description"] = json!(project.description);
    }
    body
}

/// The ids of the four system processes, the same in every organization.
fn process_template_id(process: Process) -> &'static str {
    match process {
        Process::Basic => "b8a3a935-7e91-48b8-a94c-606d37c3e9f2",
        Process::Agile => "adcc42ab-9882-485e-a3ed-7678f01f66bc",
        Process::Scrum => "6b724908-ef14-45cf-84f8-768b5384da45",
        Process::Cmmi => "27450541-8e31-4150-9947-dc59f998fc01",
    }
}
