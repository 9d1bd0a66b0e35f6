//! The control API: seeding, PATs, reset, and how it refuses bad input.

use serde_json::json;

use crate::helpers::{FULL_PAT, ORG, ado_error, json, spawn, spawn_with};

const PROJECTS: &str = "/p2anav-dev/_apis/projects?api-version=7.1";

#[tokio::test]
async fn seeding_through_the_control_api_lists_the_organizations_and_serves_them() {
    let app = spawn_with(Vec::new()).await;
    let response = app
        .post("/_emulator/seed")
        .json(&json!({"organizations": [
            {"name": "seeded-org", "process": "Scrum", "projects": ["Alpha"], "pats": ["a-pat"]},
            {"name": "second-org"}
        ]}))
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"organizations": ["seeded-org", "second-org"]}));
    let projects = app
        .get_as("/seeded-org/_apis/projects?api-version=7.1", "a-pat")
        .send()
        .await
        .expect("answered");
    assert_eq!(json(projects).await.1["value"][0]["name"], "Alpha");
}

#[tokio::test]
async fn seeding_an_organization_again_replaces_it() {
    let app = spawn().await;
    app.post("/_emulator/seed")
        .json(&json!({"organizations": [{"name": "P2ANAV-DEV", "projects": ["Gamma"], "pats": ["new-pat"]}]}))
        .send()
        .await
        .expect("answered");
    let old = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(old.status().as_u16(), 401);
    let (_, body) = json(
        app.get_as(PROJECTS, "new-pat")
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(body["count"], 1);
    assert_eq!(body["value"][0]["name"], "Gamma");
}

#[tokio::test]
async fn an_invalid_seed_is_a_400_naming_the_problem_and_changes_nothing() {
    let app = spawn().await;
    for (seed, expected) in [
        (
            json!({"organizations": [{"name": "x", "process": "Kanban"}]}),
            "unknown process",
        ),
        (json!({"organizations": [{"name": ""}]}), "empty name"),
        (
            json!({"organizations": [{"name": "bad name"}]}),
            "letters, digits or hyphens",
        ),
        (
            json!({"organizations": [{"name": "ok", "projects": ["a/b"]}]}),
            "forbids",
        ),
        (json!({"organisations": []}), "organisations"),
    ] {
        let response = app
            .post("/_emulator/seed")
            .json(&seed)
            .send()
            .await
            .expect("answered");
        let (status, body) = json(response).await;
        assert_eq!(status, 400, "{seed}");
        let (type_key, message) = ado_error(&body);
        assert_eq!(type_key, "InvalidSeedException");
        assert!(
            message.contains(expected),
            "{message} should mention {expected}"
        );
    }
    let still = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(still.status().as_u16(), 200);
}

#[tokio::test]
async fn a_pat_added_through_the_control_api_works_with_its_scopes() {
    let app = spawn().await;
    let added = app
        .post(&format!("/_emulator/organizations/{ORG}/pats"))
        .json(&json!({"token": "added-pat", "scopes": ["vso.work"], "unique_name": "added@p2anav.example"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(added.status().as_u16(), 204);
    let connection = app
        .get_as("/p2anav-dev/_apis/connectionData", "added-pat")
        .send()
        .await
        .expect("answered");
    let (status, body) = json(connection).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["authenticatedUser"]["properties"]["Account"]["$value"],
        "added@p2anav.example"
    );
    let projects = app
        .get_as(PROJECTS, "added-pat")
        .send()
        .await
        .expect("answered");
    assert_eq!(projects.status().as_u16(), 401);
}

#[tokio::test]
async fn a_pat_revoked_through_the_control_api_is_refused() {
    let app = spawn().await;
    let revoked = app
        .post(&format!("/_emulator/organizations/{ORG}/pats/revoke"))
        .json(&json!({"token": FULL_PAT}))
        .send()
        .await
        .expect("answered");
    assert_eq!(json(revoked).await.1, json!({"revoked": true}));
    let response = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn pats_of_an_unknown_organization_are_a_404() {
    let app = spawn().await;
    let response = app
        .post("/_emulator/organizations/nowhere/pats")
        .json(&json!("some-pat"))
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 404);
    ado_error(&body);
}

#[tokio::test]
async fn a_pat_added_in_process_works() {
    let app = spawn().await;
    app.emulator.add_pat(ORG, "in-process-pat".into());
    let response = app
        .get_as(PROJECTS, "in-process-pat")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn reset_forgets_organizations_requests_and_faults() {
    let app = spawn().await;
    app.get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    app.emulator
        .add_fault(navsync_ado_emulator::Fault::status(503, 9))
        .expect("a valid fault");
    let reset = app.post("/_emulator/reset").send().await.expect("answered");
    assert_eq!(reset.status().as_u16(), 204);
    assert!(app.emulator.requests().is_empty());
    // No fault answers 503 now; the organization is gone, so ADO's 404.
    let response = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 404);
}

#[tokio::test]
async fn a_stopped_emulator_refuses_connections() {
    let app = spawn().await;
    let url = app.url("/healthz");
    let client = app.client.clone();
    app.stop().await;
    assert!(client.get(url).send().await.is_err());
}
