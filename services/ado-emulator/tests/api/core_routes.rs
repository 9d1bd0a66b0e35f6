//! connectionData and projects: the PAT's identity, and what it may see.

use navsync_ado_emulator::{ScopeFailure, SeedOrganization};

use crate::helpers::{
    FULL_PAT, NAVSYNC_USER, ORG, PROJECT_WRITE_PAT, WORK_ONLY_PAT, ado_error, json, spawn,
    spawn_with, standard_org,
};

#[tokio::test]
async fn connection_data_names_the_identity_behind_the_pat_without_an_api_version() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/connectionData", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 200, "{body}");
    let user = &body["authenticatedUser"];
    assert_eq!(user, &body["authorizedUser"]);
    assert!(uuid::Uuid::parse_str(user["id"].as_str().expect("an id")).is_ok());
    assert_eq!(user["providerDisplayName"], "Navigator Sync");
    assert_eq!(user["isActive"], true);
    assert!(
        user["descriptor"]
            .as_str()
            .expect("a descriptor")
            .ends_with(NAVSYNC_USER)
    );
    assert!(
        user["subjectDescriptor"]
            .as_str()
            .expect("a subject")
            .starts_with("aad.")
    );
    assert_eq!(
        user["properties"]["Account"],
        serde_json::json!({"$type": "System.String", "$value": NAVSYNC_USER})
    );
    assert_eq!(body["deploymentType"], "hosted");
    assert!(body["instanceId"].is_string() && body["deploymentId"].is_string());
    assert_eq!(
        body["locationServiceData"]["defaultAccessMappingMoniker"],
        "PublicAccessMapping"
    );
}

#[tokio::test]
async fn connection_data_gives_the_same_identity_id_on_every_call_and_restart() {
    let first = spawn().await;
    let second = spawn().await;
    let mut ids = Vec::new();
    for app in [&first, &first, &second] {
        let response = app
            .get_as("/p2anav-dev/_apis/connectionData", FULL_PAT)
            .send()
            .await
            .expect("answered");
        ids.push(json(response).await.1["authenticatedUser"]["id"].clone());
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
}

#[tokio::test]
async fn connection_data_works_with_a_pat_of_any_scope() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/connectionData", WORK_ONLY_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn projects_are_listed_with_the_fields_ado_sends() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/projects?api-version=7.1", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 2);
    let alpha = &body["value"][0];
    assert_eq!(alpha["name"], "Alpha");
    assert_eq!(alpha["state"], "wellFormed");
    assert_eq!(alpha["visibility"], "private");
    assert!(alpha["revision"].is_u64());
    assert!(
        alpha["lastUpdateTime"]
            .as_str()
            .expect("a time")
            .ends_with('Z')
    );
    let id = alpha["id"].as_str().expect("an id");
    assert_eq!(
        alpha["url"],
        format!("{}/{ORG}/_apis/projects/{id}", app.base)
    );
}

#[tokio::test]
async fn projects_honour_top_and_skip() {
    let app = spawn().await;
    let response = app
        .get_as(
            "/p2anav-dev/_apis/projects?api-version=7.1&$top=1&$skip=1",
            FULL_PAT,
        )
        .send()
        .await
        .expect("answered");
    let (_, body) = json(response).await;
    assert_eq!(body["count"], 1);
    assert_eq!(body["value"][0]["name"], "Beta");
}

#[tokio::test]
async fn a_project_is_found_by_name_in_any_case_and_by_id() {
    let app = spawn().await;
    let by_name = app
        .get_as("/p2anav-dev/_apis/projects/alpha?api-version=7.1", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let (status, project) = json(by_name).await;
    assert_eq!(status, 200, "{project}");
    assert_eq!(project["name"], "Alpha");
    assert_eq!(project["defaultTeam"]["name"], "Alpha Team");
    let id = project["id"].as_str().expect("an id").to_uppercase();
    let by_id = app
        .get_as(
            &format!("/p2anav-dev/_apis/projects/{id}?api-version=7.1&includeCapabilities=true"),
            FULL_PAT,
        )
        .send()
        .await
        .expect("answered");
    let (status, same) = json(by_id).await;
    assert_eq!(status, 200);
    assert_eq!(same["id"], project["id"]);
    assert_eq!(
        same["capabilities"]["processTemplate"]["templateName"],
        "Agile"
    );
}

#[tokio::test]
async fn an_unknown_project_is_a_404_project_does_not_exist_with_name_exception() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/projects/Gamma?api-version=7.1", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 404);
    let (type_key, message) = ado_error(&body);
    assert_eq!(type_key, "ProjectDoesNotExistWithNameException");
    assert!(
        message.starts_with("TF200016") && message.contains("Gamma"),
        "{message}"
    );
}

#[tokio::test]
async fn a_pat_without_vso_project_is_refused_with_401_by_default() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/projects?api-version=7.1", WORK_ONLY_PAT)
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 401);
    let (type_key, message) = ado_error(&body);
    assert_eq!(type_key, "UnauthorizedRequestException");
    assert!(message.starts_with("TF400813"), "{message}");
}

#[tokio::test]
async fn a_pat_without_vso_project_is_refused_with_403_when_the_organization_says_so() {
    let org = SeedOrganization {
        scope_failure: ScopeFailure::Forbidden,
        ..standard_org()
    };
    let app = spawn_with(vec![org]).await;
    let response = app
        .get_as(
            "/p2anav-dev/_apis/projects/Alpha?api-version=7.1",
            WORK_ONLY_PAT,
        )
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 403);
    let (type_key, message) = ado_error(&body);
    assert_eq!(type_key, "UnauthorizedRequestException");
    assert!(message.contains("vso.project"), "{message}");
}

#[tokio::test]
async fn a_wider_project_scope_is_enough_to_read_projects() {
    let app = spawn().await;
    let response = app
        .get_as(
            "/p2anav-dev/_apis/projects?api-version=7.1",
            PROJECT_WRITE_PAT,
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn an_unknown_organization_on_an_organization_route_is_a_404() {
    let app = spawn().await;
    let response = app
        .get_as("/no-such-org/_apis/projects?api-version=7.1", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 404);
    ado_error(&body);
}

#[tokio::test]
async fn an_unknown_route_is_a_404_in_ados_error_body() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/nothing-here?api-version=7.1", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 404);
    ado_error(&body);
}
