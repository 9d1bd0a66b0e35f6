//! The admin page, Settings → Azure DevOps Integration: served from the binary with a
//! Content-Security-Policy that allows no inline script, its script and style beside it.

use crate::helpers::spawn_app;

#[tokio::test(flavor = "multi_thread")]
async fn the_settings_page_is_served_with_its_heading_and_a_content_security_policy() {
    let app = spawn_app().await;
    let res = app
        .http
        .get(app.url("/settings/azure-devops"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let content_type = headers["content-type"].to_str().expect("ascii");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let csp = headers
        .get("content-security-policy")
        .expect("a CSP header")
        .to_str()
        .expect("ascii");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = res.text().await.expect("body");
    assert!(html.contains("<h1>Azure DevOps Integration</h1>"), "{html}");
    assert!(
        html.contains(
            "Connect your workspace to sync P2A action items with Azure DevOps work items."
        )
    );
    assert!(html.contains("Add Integration"));
    assert!(html.contains(r#"<script src="/settings/azure-devops/app.js" defer></script>"#));
    assert!(
        !html.contains("<script>") && !html.contains("onclick="),
        "no inline script: the CSP would block it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_script_and_style_are_served_as_their_own_assets() {
    let app = spawn_app().await;
    for (path, kind, marker) in [
        (
            "/settings/azure-devops/app.js",
            "text/javascript",
            "/v1/integrations",
        ),
        (
            "/settings/azure-devops/app.css",
            "text/css",
            ":focus-visible",
        ),
    ] {
        let res = app.http.get(app.url(path)).send().await.expect("sent");
        assert_eq!(res.status(), 200, "{path}");
        let content_type = res.headers()["content-type"].to_str().expect("ascii");
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let body = res.text().await.expect("body");
        assert!(body.contains(marker), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_needs_no_token_but_the_api_behind_it_does() {
    let app = spawn_app().await;
    let res = app
        .http
        .get(app.url("/settings/azure-devops"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200, "the static page holds nothing secret");
    let (status, _) = app
        .send(reqwest::Method::GET, "/v1/integrations", None, None)
        .await;
    assert_eq!(status, 401);
}
