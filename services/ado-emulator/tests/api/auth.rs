//! The three shapes in which dev.azure.com refuses a PAT, per organization setting.

use navsync_ado_emulator::{AuthFailure, SeedOrganization};

use crate::helpers::{FULL_PAT, ORG, ado_error, json, spawn, spawn_with, standard_org};

const PROJECTS: &str = "/p2anav-dev/_apis/projects?api-version=7.1";

fn org_failing_with(shape: AuthFailure) -> SeedOrganization {
    SeedOrganization {
        auth_failure: shape,
        ..standard_org()
    }
}

#[tokio::test]
async fn a_request_without_a_pat_is_refused_with_a_401_tf400813_json_error() {
    let app = spawn().await;
    let response = app.get(PROJECTS).send().await.expect("answered");
    assert!(response.headers().contains_key("www-authenticate"));
    let (status, body) = json(response).await;
    assert_eq!(status, 401);
    let (type_key, message) = ado_error(&body);
    assert_eq!(type_key, "UnauthorizedRequestException");
    assert!(
        message.starts_with("TF400813: The user '' is not authorized to access this resource."),
        "{message}"
    );
}

#[tokio::test]
async fn an_unknown_pat_is_refused_like_a_missing_one() {
    let app = spawn().await;
    let response = app
        .get_as(PROJECTS, "not-a-pat-we-know")
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 401);
    assert_eq!(ado_error(&body).0, "UnauthorizedRequestException");
}

#[tokio::test]
async fn the_user_name_of_basic_auth_is_ignored() {
    let app = spawn().await;
    let response = app
        .get(PROJECTS)
        .basic_auth("whoever", Some(FULL_PAT))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn an_organization_set_to_203_answers_a_bad_pat_with_an_html_sign_in_page() {
    let app = spawn_with(vec![org_failing_with(AuthFailure::SignInPage)]).await;
    let response = app
        .get_as(PROJECTS, "revoked-or-wrong")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 203);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let body = response.text().await.expect("a body");
    assert!(body.contains("<html") && body.contains("Sign In"), "{body}");
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
}

#[tokio::test]
async fn an_organization_set_to_302_redirects_a_bad_pat_to_sign_in() {
    let app = spawn_with(vec![org_failing_with(AuthFailure::Redirect)]).await;
    let response = app
        .get_as(PROJECTS, "revoked-or-wrong")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().expect("ascii");
    assert!(
        location
            .starts_with("https://spsprodcus5.vssps.visualstudio.com/_signin?realm=dev.azure.com"),
        "{location}"
    );
    assert!(location.contains("reply_to="), "{location}");
}

#[tokio::test]
async fn a_302_organization_answers_401_json_when_the_redirect_is_suppressed() {
    let app = spawn_with(vec![org_failing_with(AuthFailure::Redirect)]).await;
    let response = app
        .get_as(PROJECTS, "revoked-or-wrong")
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .expect("answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 401);
    assert!(ado_error(&body).1.starts_with("TF400813"));
}

#[tokio::test]
async fn a_revoked_pat_is_refused_from_then_on() {
    let app = spawn().await;
    let before = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(before.status().as_u16(), 200);
    app.emulator.revoke_pat(ORG, FULL_PAT);
    let after = app
        .get_as(PROJECTS, FULL_PAT)
        .send()
        .await
        .expect("answered");
    assert_eq!(after.status().as_u16(), 401);
}

#[tokio::test]
async fn a_pat_of_another_organization_is_refused() {
    let mut other = SeedOrganization::named("other-org");
    other.pats.push("other-org-pat".into());
    let app = spawn_with(vec![standard_org(), other]).await;
    let response = app
        .get_as(PROJECTS, "other-org-pat")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 401);
}
