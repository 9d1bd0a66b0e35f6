//! `resourceAreas`: the anonymous "does this organization exist?" call.

use crate::helpers::{ORG, json, spawn};

const PATH: &str = "/_apis/resourceAreas/79134C72-4A58-4B42-976C-04E7115F32BF";

#[tokio::test]
async fn resource_areas_answers_the_core_area_for_an_existing_organization() {
    let app = spawn().await;
    let response = app
        .get(PATH)
        .query(&[("accountName", ORG), ("api-version", "5.0-preview.1")])
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], "79134c72-4a58-4b42-976c-04e7115f32bf");
    assert_eq!(body["name"], "Core");
    assert_eq!(body["locationUrl"], format!("{}/{ORG}/", app.base));
}

#[tokio::test]
async fn resource_areas_answers_200_with_null_for_an_unknown_organization() {
    let app = spawn().await;
    let response = app
        .get(PATH)
        .query(&[
            ("accountName", "no-such-org"),
            ("api-version", "5.0-preview.1"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.expect("a body"), "null");
}

#[tokio::test]
async fn resource_areas_matches_the_organization_and_the_area_id_in_any_case() {
    let app = spawn().await;
    let response = app
        .get("/_apis/resourceAreas/79134c72-4a58-4b42-976c-04e7115f32bf")
        .query(&[
            ("accountName", "P2ANAV-Dev"),
            ("api-version", "5.0-preview.1"),
        ])
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 200);
    // The URL uses the organization's own spelling, not the caller's.
    assert_eq!(body["locationUrl"], format!("{}/{ORG}/", app.base));
}

#[tokio::test]
async fn resource_areas_sends_no_pat_and_needs_none() {
    let app = spawn().await;
    app.get(PATH)
        .query(&[("accountName", ORG), ("api-version", "5.0-preview.1")])
        .send()
        .await
        .expect("answered");
    let logged = app.emulator.requests();
    assert_eq!(logged.len(), 1);
    assert!(!logged[0].has_authorization);
    assert_eq!(logged[0].status, Some(200));
}
