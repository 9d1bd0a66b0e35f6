//! Issue #10, hostile bodies at the webhook: an authenticated caller (the secret leaked, or
//! ADO itself misbehaving) sends deeply nested, oversized and strange JSON. Every answer
//! is a clean 4xx (or a 200 `rejected`), nothing is published, the service stays up, and
//! no secret appears in an answer or a log line.

use navsync_platform::settings::{DEV_JWT_SECRET, DEV_SERVICE_TOKEN};
use serde_json::json;

use crate::helpers::{GOOD_PAT, fixture, spawn_app};

#[tokio::test(flavor = "multi_thread")]
async fn deeply_nested_oversized_and_strange_bodies_are_refused_cleanly() {
    let app = spawn_app().await;
    let mut nested_resource = fixture("workitem.updated.json");
    nested_resource["resource"]["fields"]["System.Title"] = json!(null);
    let nested_in_field = serde_json::to_string(&nested_resource)
        .expect("json")
        .replace(
            "\"System.Title\":null",
            &format!("\"System.Title\":{}", "[".repeat(10_000)),
        );
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("10 000 [", "[".repeat(10_000).into_bytes()),
        (
            "10 000 [ closed",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
        ),
        ("10 000 {\"a\":", "{\"a\":".repeat(10_000).into_bytes()),
        ("nested inside a field", nested_in_field.into_bytes()),
        ("1 MiB + 1 of [", vec![b'['; (1 << 20) + 1]),
        ("20 MiB of [", vec![b'['; 20 << 20]),
        ("not UTF-8", vec![b'{', 0xff, 0xfe, b'}']),
        ("a number", b"1e99999".to_vec()),
        ("empty", Vec::new()),
        ("NUL", b"\0".to_vec()),
        ("a lone surrogate", br#"{"eventType": "\ud800"}"#.to_vec()),
        (
            "eventType an object",
            br#"{"eventType": {"a": 1}}"#.to_vec(),
        ),
        (
            "huge work item id",
            br#"{"eventType": "workitem.updated", "resource": {"workItemId": 1e308}}"#.to_vec(),
        ),
        (
            "negative work item id",
            br#"{"eventType": "workitem.deleted", "resource": {"id": -1}}"#.to_vec(),
        ),
    ];
    for (what, body) in bodies {
        let big = body.len() > 1 << 20;
        let res = app
            .http
            .post(app.hook_url())
            .basic_auth("ado", Some(&app.secret))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await;
        let Ok(res) = res else {
            assert!(big, "{what}: connection lost");
            continue;
        };
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        let rejected = status == 200 && (text.contains("rejected") || text.contains("ignored"));
        assert!(
            (400..500).contains(&status) || rejected,
            "{what}: {status} {}",
            &text[..text.len().min(300)]
        );
        if big {
            assert_eq!(status, 413, "{what}");
        }
        for secret in [
            app.secret.as_str(),
            GOOD_PAT,
            DEV_SERVICE_TOKEN,
            DEV_JWT_SECRET,
        ] {
            assert!(!text.contains(secret), "{what}: a secret in the answer");
        }
        let health = app
            .http
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .expect("the service stays up");
        assert_eq!(health.status(), 200, "{what}");
    }
    // Still working for a real delivery, and that is the only event published.
    assert_eq!(
        app.deliver(&fixture("workitem.updated.json")).await.status,
        200
    );
    assert_eq!(
        app.events.settled(1).await.len(),
        1,
        "nothing else was published"
    );
    let logs = app.logs.text();
    for secret in [
        app.secret.as_str(),
        GOOD_PAT,
        DEV_SERVICE_TOKEN,
        DEV_JWT_SECRET,
    ] {
        assert!(!logs.contains(secret), "a secret in the logs");
    }
}
