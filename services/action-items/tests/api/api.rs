//! SPEC §6 over HTTP: validation, concurrency control, idempotency, pagination, isolation.

use navsync_test_support::token;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::spawn_app;

fn code(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn creating_an_action_item_answers_the_view_with_version_1() {
    let app = spawn_app().await;
    let (status, body) = app
        .create(json!({
            "title": "Write the retro notes",
            "description": "Line one\nLine <two>",
            "status": "in_progress",
            "assignee_email": "ana@example.com",
            "due_date": "2026-12-24"
        }))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["title"], "Write the retro notes");
    assert_eq!(body["description"], "Line one\nLine <two>");
    assert_eq!(body["status"], "in_progress");
    assert_eq!(body["assignee_email"], "ana@example.com");
    assert_eq!(body["due_date"], "2026-12-24");
    assert_eq!(body["version"], 1);
    assert_eq!(body["sync_to_ado"], true);
    assert_eq!(body["company_id"], app.company_id.to_string());
    assert_eq!(
        body["ado"],
        json!({"work_item_id": null, "url": null, "sync_state": "pending",
               "last_synced_at": null, "error": null})
    );
    let (status, got) = app.get(body["id"].as_str().expect("id")).await;
    assert_eq!(status, 200);
    assert_eq!(got, body);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), 400, "title"),
        (json!({"title": ""}), 422, "title"),
        (json!({"title": "x".repeat(256)}), 422, "title"),
        (json!({"title": 42}), 400, "title"),
        (
            json!({"title": "x", "description": "d".repeat(32 * 1024 + 1)}),
            422,
            "description",
        ),
        (json!({"title": "x", "status": "finished"}), 400, "status"),
        (
            json!({"title": "x", "due_date": "24/12/2026"}),
            400,
            "due_date",
        ),
        (
            json!({"title": "x", "assignee_email": "not-an-email"}),
            422,
            "assignee_email",
        ),
        (
            json!({"title": "x", "sync_to_ado": "yes"}),
            400,
            "sync_to_ado",
        ),
        (json!({"title": "x", "colour": "red"}), 400, "colour"),
    ];
    for (body, status, field) in cases {
        let (got, answer) = app.create(body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{field} named in {message:?}");
    }
    let (_, list) = app.call(Method::GET, "/v1/action-items", None, &[]).await;
    assert_eq!(list["items"], json!([]), "nothing was stored");
}

/// Found while documenting the API for schemathesis (issue #10): chrono reads signed and
/// five-digit years, so `-5000-01-01` reached PostgreSQL (out of its range: a 500) and
/// `+10000-01-01` was stored and answered back as no `date` at all.
#[tokio::test(flavor = "multi_thread")]
async fn a_due_date_beyond_four_digits_of_year_is_refused_not_stored() {
    let app = spawn_app().await;
    for due in ["-5000-01-01", "+10000-01-01", "-0001-12-31"] {
        let (status, body) = app.create(json!({"title": "x", "due_date": due})).await;
        assert_eq!(status, 400, "{due}: {body}");
        assert_eq!(code(&body), "invalid_json");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("due_date:")
        );
    }
    let item = app.create_ok("Dated").await;
    let path = format!("/v1/action-items/{}", item["id"].as_str().expect("id"));
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"due_date": "-5000-01-01"})),
            &[],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"due_date": "9999-12-31"})),
            &[],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["due_date"], "9999-12-31");
    let (_, list) = app.call(Method::GET, "/v1/action-items", None, &[]).await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "only the valid one"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_with_a_stale_if_match_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let item = app.create_ok("First").await;
    let path = format!("/v1/action-items/{}", item["id"].as_str().expect("id"));
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"title": "Second"})),
            &[("If-Match", "1")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"title": "Third"})),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(status, 412, "{body}");
    assert_eq!(code(&body), "version_mismatch");
    let (_, now) = app.call(Method::GET, &path, None, &[]).await;
    assert_eq!(now["title"], "Second");
    assert_eq!(now["version"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let app = spawn_app().await;
    let item = app.create_ok("Same").await;
    let path = format!("/v1/action-items/{}", item["id"].as_str().expect("id"));
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"title": "Same", "status": "not_started"})),
            &[],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], 1);
    let (_, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"description": "now", "due_date": null})),
            &[],
        )
        .await;
    assert_eq!(body["version"], 2);
    assert_eq!(body["description"], "now");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_post_with_the_same_idempotency_key_returns_the_first_answer() {
    let app = spawn_app().await;
    let key = [("Idempotency-Key", "retry-me-1")];
    let body = json!({"title": "Only once"});
    let (s1, first) = app
        .call(Method::POST, "/v1/action-items", Some(body.clone()), &key)
        .await;
    let (s2, second) = app
        .call(Method::POST, "/v1/action-items", Some(body), &key)
        .await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first, second);
    let (s3, third) = app
        .call(
            Method::POST,
            "/v1/action-items",
            Some(json!({"title": "Other"})),
            &key,
        )
        .await;
    assert_eq!(s3, 422, "{third}");
    assert_eq!(code(&third), "idempotency_key_reused");
    let (_, list) = app.call(Method::GET, "/v1/action-items", None, &[]).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    // Concurrent retries still create one item.
    let key = [("Idempotency-Key", "race-2")];
    let body = json!({"title": "Raced"});
    let (a, b) = tokio::join!(
        app.call(Method::POST, "/v1/action-items", Some(body.clone()), &key),
        app.call(Method::POST, "/v1/action-items", Some(body.clone()), &key)
    );
    assert_eq!(a.1["id"], b.1["id"], "{a:?} {b:?}");
    let (_, list) = app.call(Method::GET, "/v1/action-items", None, &[]).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_pages_through_every_item_once() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(app.create_ok(&format!("item {i}")).await["id"].clone());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/action-items?limit=3&cursor={c}"),
            None => "/v1/action-items?limit=3".to_owned(),
        };
        let (status, page) = app.call(Method::GET, &path, None, &[]).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, created);
    for bad in ["?limit=0", "?limit=1000", "?cursor=garbage", "?limit=abc"] {
        let (status, _) = app
            .call(Method::GET, &format!("/v1/action-items{bad}"), None, &[])
            .await;
        assert_eq!(status, 400, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_companys_item_is_not_found_and_tokens_are_checked() {
    let app = spawn_app().await;
    let item = app.create_ok("Mine").await;
    let path = format!("/v1/action-items/{}", item["id"].as_str().expect("id"));
    let stranger = token(Uuid::new_v4()).roles(&[]).encode();
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let res = app
            .http
            .request(method.clone(), app.url(&path))
            .bearer_auth(&stranger)
            .json(&json!({"title": "theirs"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 404, "{method}");
    }
    let res = app.http.get(app.url(&path)).send().await.expect("sent");
    assert_eq!(res.status(), 401);
    let expired = token(app.company_id).expired().encode();
    let res = app
        .http
        .get(app.url(&path))
        .bearer_auth(expired)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 401);
    let (_, mine) = app.get(item["id"].as_str().expect("id")).await;
    assert_eq!(mine["title"], "Mine");
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_an_item_removes_it() {
    let app = spawn_app().await;
    let item = app.create_ok("Gone soon").await;
    let path = format!("/v1/action-items/{}", item["id"].as_str().expect("id"));
    let (status, _) = app.call(Method::DELETE, &path, None, &[]).await;
    assert_eq!(status, 204);
    let (status, _) = app.call(Method::GET, &path, None, &[]).await;
    assert_eq!(status, 404);
    let (status, _) = app.call(Method::DELETE, &path, None, &[]).await;
    assert_eq!(status, 404);
}
