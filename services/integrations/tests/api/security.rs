//! Issue #10, hostile input on the integrations API: forged tokens on every endpoint,
//! company B probing company A's integration, deeply nested and oversized bodies, and
//! organization names built to smuggle a URL, a path or a header into the call to ADO.
//! After each attack the service still answers, nothing changed, and no secret leaked.

use navsync_platform::settings::{DEV_JWT_SECRET, DEV_SERVICE_TOKEN};
use navsync_test_support::{forge::hostile_tokens, token};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{GOOD_PAT, TestApp, code, spawn_app};

/// Every route of the public API with a body that would be accepted.
fn every_endpoint(id: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, "/v1/integrations".into(), None),
        (
            Method::POST,
            "/v1/integrations".into(),
            Some(json!({"organization": "p2anav-dev", "pat": GOOD_PAT})),
        ),
        (Method::GET, format!("/v1/integrations/{id}"), None),
        (
            Method::PATCH,
            format!("/v1/integrations/{id}"),
            Some(json!({"enabled": false})),
        ),
        (
            Method::POST,
            format!("/v1/integrations/{id}/reveal"),
            Some(json!({"field": "pat"})),
        ),
        (
            Method::POST,
            format!("/v1/integrations/{id}/reveal"),
            Some(json!({"field": "webhook_secret"})),
        ),
        (
            Method::POST,
            format!("/v1/integrations/{id}/webhook-secret/rotate"),
            None,
        ),
        (Method::GET, format!("/v1/integrations/{id}/projects"), None),
        (
            Method::GET,
            format!("/v1/integrations/{id}/work-item-types?project=Alpha"),
            None,
        ),
        (Method::GET, format!("/v1/integrations/{id}/audit"), None),
        (Method::DELETE, format!("/v1/integrations/{id}"), None),
    ]
}

/// The integration is exactly as created: enabled, never revealed, rotated or changed.
async fn assert_untouched(app: &TestApp, id: &str, secret_before: Option<&str>) {
    let expected_audit: &[&str] = if secret_before.is_some() {
        &["revealed", "validated", "created"]
    } else {
        &["validated", "created"]
    };
    let (status, view) = app
        .admin(Method::GET, &format!("/v1/integrations/{id}"), None)
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["enabled"], true, "{view}");
    assert_eq!(app.audit_actions(id).await, expected_audit);
    if let Some(before) = secret_before {
        assert_eq!(app.reveal(id, "webhook_secret").await, before);
    }
}

async fn assert_alive(app: &TestApp) {
    let res = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200, "the service stays up");
    let (status, _) = app.admin(Method::GET, "/v1/integrations", None).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_and_malformed_tokens_are_401_on_every_endpoint() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let requests_before = app.emulator.emulator.requests().len();
    let mut refused = 0;
    for (what, bad) in hostile_tokens(app.company_id) {
        for (method, path, body) in every_endpoint(&id) {
            let (status, answer) = app.send(method.clone(), &path, Some(&bad), body).await;
            assert_eq!(status, 401, "{what}: {method} {path}: {answer}");
            assert_eq!(code(&answer), "unauthorized", "{what}: {method} {path}");
            assert!(answer.get("value").is_none() && answer.get("items").is_none());
            refused += 1;
        }
    }
    assert!(refused > 300, "{refused} refusals");
    assert_eq!(
        app.emulator.emulator.requests().len(),
        requests_before,
        "a forged token reached ADO"
    );
    // The internal API takes the service credential, never a user token (not even an
    // honest admin's), and no user endpoint takes the service credential.
    for bearer in [app.admin_token.as_str(), "", DEV_JWT_SECRET] {
        let (status, answer) = app
            .send(
                Method::GET,
                &format!("/internal/v1/integrations/{id}"),
                Some(bearer),
                None,
            )
            .await;
        assert_eq!(status, 401, "internal API with {bearer:?}: {answer}");
    }
    let (status, _) = app
        .send(
            Method::GET,
            "/v1/integrations",
            Some(DEV_SERVICE_TOKEN),
            None,
        )
        .await;
    assert_eq!(status, 401, "the service token is no user token");
    assert_untouched(&app, &id, None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn company_b_can_neither_read_change_reveal_rotate_delete_nor_list_company_as_integration() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let secret = app.reveal(&id, "webhook_secret").await;
    let pat_hint = format!("****{}", &GOOD_PAT[GOOD_PAT.len() - 4..]);
    let company_b = Uuid::new_v4();
    let b_admin = token(company_b).encode();
    // B even has an integration of its own, so B's requests reach the database.
    let (status, b_view) = app
        .send(
            Method::POST,
            "/v1/integrations",
            Some(&b_admin),
            Some(json!({"organization": "two-projects", "pat": GOOD_PAT})),
        )
        .await;
    assert_eq!(status, 201, "{b_view}");
    for (method, path, body) in every_endpoint(&id) {
        if path == "/v1/integrations" {
            continue;
        }
        let (status, answer) = app.send(method.clone(), &path, Some(&b_admin), body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
        assert_eq!(code(&answer), "not_found", "{method} {path}");
        let text = answer.to_string();
        for leak in [
            id.as_str(),
            secret.as_str(),
            GOOD_PAT,
            "p2anav-dev",
            &pat_hint,
        ] {
            assert!(
                !text.contains(leak),
                "{method} {path} revealed {leak}: {text}"
            );
        }
    }
    // A's id with every other shape of the path is still not A's.
    for path in [
        format!("/v1/integrations/{}", id.to_uppercase()),
        format!("/v1/integrations/{id}/"),
        format!("/v1/integrations/{id}%00"),
        format!("/v1/integrations/{id}/reveal/../audit"),
    ] {
        let (status, answer) = app.send(Method::GET, &path, Some(&b_admin), None).await;
        assert!(status == 404 || status == 405, "{path}: {status} {answer}");
        assert!(!answer.to_string().contains(&secret));
    }
    let (_, list) = app
        .send(Method::GET, "/v1/integrations", Some(&b_admin), None)
        .await;
    let listed: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(listed, [b_view["id"].as_str().expect("b's id")]);
    // A's integration is untouched; A does not see B's.
    assert_untouched(&app, &id, Some(&secret)).await;
    assert_eq!(app.count().await, 1);
}

/// `depth` levels of `[` (or of `{"a":`), never closed: a stack-overflow probe.
fn nested(open: &str, depth: usize) -> String {
    open.repeat(depth)
}

#[tokio::test(flavor = "multi_thread")]
async fn deeply_nested_and_oversized_bodies_are_refused_cleanly_on_every_json_endpoint() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let secret = app.reveal(&id, "webhook_secret").await;
    let bodies = [
        ("10 000 [", nested("[", 10_000)),
        (
            "10 000 [ closed",
            format!("{}{}", nested("[", 10_000), "]".repeat(10_000)),
        ),
        ("10 000 {\"a\":", nested("{\"a\":", 10_000)),
        (
            "nested inside a field",
            format!(
                r#"{{"organization": "p2anav-dev", "pat": {}}}"#,
                nested("[", 10_000)
            ),
        ),
        (
            "2 MiB string",
            format!(r#"{{"organization": "{}"}}"#, "a".repeat(2 << 20)),
        ),
        ("20 MiB of [", nested("[", 20 << 20)),
    ];
    let endpoints = [
        (Method::POST, "/v1/integrations".to_owned()),
        (Method::PATCH, format!("/v1/integrations/{id}")),
        (Method::POST, format!("/v1/integrations/{id}/reveal")),
    ];
    for (what, body) in &bodies {
        for (method, path) in &endpoints {
            let res = app
                .http
                .request(method.clone(), app.url(path))
                .bearer_auth(&app.admin_token)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await;
            // A server may close the connection on a body far over its limit; anything
            // but a 4xx answer or such a close is a failure.
            let Ok(res) = res else {
                assert!(
                    body.len() > 1 << 20,
                    "{what}: {method} {path}: connection lost"
                );
                continue;
            };
            let status = res.status().as_u16();
            let text = res.text().await.unwrap_or_default();
            assert!(
                (400..500).contains(&status),
                "{what}: {method} {path}: {status} {}",
                &text[..text.len().min(300)]
            );
            assert!(!text.contains(&secret) && !text.contains(GOOD_PAT));
            assert_alive(&app).await;
        }
    }
    assert_untouched(&app, &id, Some(&secret)).await;
}

/// Names that try to leave the organization's path segment, or the host, or the header.
pub fn hostile_organizations() -> Vec<String> {
    let mut names: Vec<String> = [
        "evil.com/",
        "evil.com",
        "evil.com:443",
        "../",
        "..",
        ".",
        "../p2anav-dev",
        "p2anav-dev/../other",
        "a%2fb",
        "a%2Fb",
        "%2e%2e",
        "a%00b",
        "a\u{0}b",
        "a\r\nX-Injected: 1",
        "a\nX-Injected: 1",
        "a\rb",
        "a\tb",
        "@host",
        "p2anav-dev@evil.com",
        "user:pass@evil",
        "//evil.com",
        "http://evil.com",
        "a\\b",
        "a;b",
        "a?b",
        "a#b",
        "a b",
        "p2\u{0430}nav-dev",  // Cyrillic а
        "p2anav\u{2010}dev",  // Unicode hyphen
        "\u{ff50}2anav-dev",  // fullwidth p
        "p2anav-dev\u{200b}", // zero-width space
        "p2anav-dev\u{202e}", // right-to-left override
        "\u{1F600}",
        "-p2anav",
        "p2anav-",
        "",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    names.push("a".repeat(51));
    names.push("a".repeat(10_000));
    names.push("a".repeat(100_000));
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn crafted_organization_names_are_422_and_never_reach_ado() {
    let app = spawn_app().await;
    for name in hostile_organizations() {
        let (status, body) = app.create(&name, GOOD_PAT).await;
        let shown: String = name.chars().take(40).collect();
        if name.len() > 50_000 {
            // Over the body limit: refused even before the name is read.
            assert_eq!(status, 413, "create {shown:?}: {body}");
            continue;
        }
        assert_eq!(status, 422, "create {shown:?}: {body}");
        assert_eq!(code(&body), "invalid_organization", "{shown:?}");
        assert!(!body.to_string().contains(GOOD_PAT));
    }
    assert!(
        app.emulator.emulator.requests().is_empty(),
        "ADO was called: {:?}",
        app.emulator.emulator.requests()
    );
    assert_eq!(app.count().await, 0, "nothing stored");

    // The same names on PATCH: refused, nothing sent, the integration unchanged.
    let id = app.create_ok().await;
    let before = app.emulator.emulator.requests().len();
    for name in hostile_organizations() {
        let (status, body) = app
            .admin(
                Method::PATCH,
                &format!("/v1/integrations/{id}"),
                Some(json!({"organization": name})),
            )
            .await;
        let shown: String = name.chars().take(40).collect();
        if name.len() > 50_000 {
            assert_eq!(status, 413, "patch {shown:?}: {body}");
            continue;
        }
        assert_eq!(status, 422, "patch {shown:?}: {body}");
        assert_eq!(code(&body), "invalid_organization", "{shown:?}");
    }
    assert_eq!(
        app.emulator.emulator.requests().len(),
        before,
        "ADO was called"
    );
    let (_, view) = app
        .admin(Method::GET, &format!("/v1/integrations/{id}"), None)
        .await;
    assert_eq!(view["organization"], "p2anav-dev");
}

#[tokio::test(flavor = "multi_thread")]
async fn crafted_project_type_and_state_names_are_refused_without_a_500() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    for body in [
        json!({"project": "Al\u{0}pha"}),
        json!({"project": "../../_apis/connectionData"}),
        json!({"project": "Alpha?x=1#"}),
        json!({"project": "Alpha\r\nX-Injected: 1"}),
        json!({"project": "x".repeat(100_000)}),
        json!({"work_item_type": "Task\u{0}"}),
        json!({"work_item_type": "x".repeat(100_000)}),
        json!({"state_mapping": {"done": "Closed\u{0}"}}),
        json!({"state_mapping": {"\u{0}": "Closed"}}),
        json!({"state_mapping": {"done": "x".repeat(100_000)}}),
        json!({"on_action_item_deleted": "\u{0}"}),
    ] {
        let (status, answer) = app.admin(Method::PATCH, &path, Some(body.clone())).await;
        let shown: String = body.to_string().chars().take(80).collect();
        assert!((400..500).contains(&status), "{shown}: {status} {answer}");
    }
    let (status, view) = app.admin(Method::GET, &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(view["project"], "Alpha");
    assert_eq!(view["work_item_type"], "Task");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_logs_database_or_error_bodies_under_attack() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let secret = app.reveal(&id, "webhook_secret").await;
    let mut bodies = String::new();
    // The attacks above, one of each, with every answer kept.
    for (_, bad) in hostile_tokens(app.company_id).into_iter().take(6) {
        for (method, path, body) in every_endpoint(&id) {
            bodies.push_str(
                &app.send(method, &path, Some(&bad), body)
                    .await
                    .1
                    .to_string(),
            );
        }
    }
    let stranger = token(Uuid::new_v4()).encode();
    for (method, path, body) in every_endpoint(&id) {
        bodies.push_str(
            &app.send(method, &path, Some(&stranger), body)
                .await
                .1
                .to_string(),
        );
    }
    for name in ["evil.com/", "a\r\nX-Injected: 1"] {
        bodies.push_str(&app.create(name, GOOD_PAT).await.1.to_string());
    }
    for body in [
        nested("[", 10_000),
        format!(r#"{{"pat": "{GOOD_PAT}", "x": {}}}"#, nested("[", 500)),
    ] {
        let res = app
            .http
            .patch(app.url(&format!("/v1/integrations/{id}")))
            .bearer_auth(&app.admin_token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        bodies.push_str(&res.text().await.unwrap_or_default());
    }
    app.fault(json!({"status": 500, "count": 4})).await;
    bodies.push_str(
        &app.admin(
            Method::PATCH,
            &format!("/v1/integrations/{id}"),
            Some(json!({"pat": GOOD_PAT})),
        )
        .await
        .1
        .to_string(),
    );
    let dump = crate::secrets::pg_dump(&app).await;
    let logs = app.logs.text();
    for (what, value) in [
        ("PAT", GOOD_PAT),
        ("webhook secret", secret.as_str()),
        ("JWT secret", DEV_JWT_SECRET),
        ("service token", DEV_SERVICE_TOKEN),
    ] {
        assert!(!logs.contains(value), "the {what} is in the logs");
        assert!(!dump.contains(value), "the {what} is in the database");
        assert!(!bodies.contains(value), "the {what} is in an error body");
    }
}
