//! The api-version rule of every `_apis` call but connectionData.

use crate::helpers::{FULL_PAT, ado_error, json, spawn};

#[tokio::test]
async fn a_call_without_api_version_is_a_400_vss_version_not_specified_exception() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/projects", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 400);
    let (type_key, message) = ado_error(&body);
    assert_eq!(type_key, "VssVersionNotSpecifiedException");
    assert_eq!(
        message,
        "No api-version was supplied for the \"GET\" request. The version must be supplied \
         either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or \
         as a query parameter (e.g. '?api-version=1.0')."
    );
}

#[tokio::test]
async fn an_api_version_in_the_accept_header_is_accepted() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/projects", FULL_PAT)
        .header("Accept", "application/json; api-version=7.1")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn an_api_version_past_the_latest_is_out_of_range() {
    let app = spawn().await;
    let response = app
        .get_as("/p2anav-dev/_apis/projects?api-version=9.0", FULL_PAT)
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 400);
    assert_eq!(ado_error(&body).0, "VssVersionOutOfRangeException");
}

#[tokio::test]
async fn resource_areas_without_api_version_is_refused_too() {
    let app = spawn().await;
    let response = app
        .get("/_apis/resourceAreas/79134C72-4A58-4B42-976C-04E7115F32BF?accountName=p2anav-dev")
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 400);
    assert_eq!(ado_error(&body).0, "VssVersionNotSpecifiedException");
}
