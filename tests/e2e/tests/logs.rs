//! No secret in any log line, on the error paths too (SPEC §3): every service runs in this
//! process at debug level with its log lines captured, and is driven through the failures
//! where a careless message would leak one — ADO refusing a PAT (401) and failing (500)
//! during a sync, a PAT rejected on save, a webhook with a wrong secret, a webhook that is
//! not JSON, and a service whose broker is down (its AMQP URL holds a password). Secrets
//! are looked for as they are and base64-encoded (a logged `Authorization: Basic` header).
//! Every line must be one JSON object, and every line written while a request is handled
//! must name its trace and span.

mod common;
#[path = "support/world.rs"]
mod world;

use base64::Engine;
use navsync_ado_emulator::Fault;
use navsync_test_support::CapturedLogs;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use world::{eventually, world};

const REJECTED_PAT: &str = "rejectedpat0rejectedpat1rejectedpat2rejectedpat3rejectedpatAZDO45678";
const BROKER_PASSWORD: &str = "broker-password-that-must-not-leak-42";

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_is_logged_on_the_error_paths() {
    let db = navsync_test_support::TestDatabase::create().await;
    let base = navsync_test_support::settings(&db, "http://127.0.0.1:9", &[]);
    let logs = CapturedLogs::install(&base);
    let w = world().await;
    let hook = format!("{}/hooks/ado/{}", w.ingress, w.integration_id);

    // A PAT that ADO rejects, on save: 400, nothing stored.
    let res = w
        .http
        .patch(format!(
            "{}/v1/integrations/{}",
            w.integrations, w.integration_id
        ))
        .bearer_auth(&w.admin)
        .json(&json!({"pat": REJECTED_PAT}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 400);

    // ADO fails (500) then rejects the PAT (401) while an action item syncs.
    w.emulator
        .emulator
        .add_fault(Fault::status(500, 2))
        .expect("fault");
    let first = w.create_item("Fails first").await;
    assert!(
        eventually(30, || async {
            w.emulator
                .emulator
                .requests()
                .iter()
                .any(|r| r.status == Some(500))
        })
        .await,
        "ADO answered 500"
    );
    assert!(
        eventually(30, || async {
            w.item(&first).await["ado"]["sync_state"] == "synced"
        })
        .await,
        "synced after the 500s"
    );
    w.emulator
        .emulator
        .add_fault(Fault::status(401, 1))
        .expect("fault");
    let second = w.create_item("Then the PAT is rejected").await;
    assert!(
        eventually(30, || async {
            let state = w.item(&second).await["ado"]["sync_state"].clone();
            state == "paused" || state == "synced"
        })
        .await,
        "the 401 was handled"
    );

    // A webhook with a wrong secret, then one that is not JSON.
    let res = w
        .http
        .post(&hook)
        .basic_auth("navsync", Some("wrong-secret"))
        .json(&json!({"eventType": "workitem.updated"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 401);
    let res = w
        .http
        .post(&hook)
        .basic_auth("navsync", Some(&w.webhook_secret))
        .header("Content-Type", "application/json")
        .body("{\"eventType\": not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 400);

    // A webhook-ingress whose broker is down: 503, and its AMQP password stays out of logs.
    let broken_amqp = format!("amqp://guest:{BROKER_PASSWORD}@127.0.0.1:1/%2f");
    let app = navsync_webhook_ingress::Application::build(
        world::settings(
            &w.db,
            &w.vhost,
            &w.emulator.base_url,
            &[
                ("NAVSYNC_AMQP__URL", broken_amqp.as_str()),
                ("NAVSYNC_INTEGRATIONS__URL", w.integrations.as_str()),
            ],
        ),
        navsync_webhook_ingress::IngressSettings {
            secret_cache_ttl_secs: 1,
            ..Default::default()
        },
    )
    .await
    .expect("webhook-ingress without a broker");
    let down = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped(w.shutdown.clone()));
    let payload: Value = json!({"eventType": "workitem.updated", "notificationId": 1,
        "subscriptionId": "00000000-0000-0000-0000-000000000001",
        "resource": {"workItemId": 1, "rev": 2, "revisedBy": {"displayName": "A"},
                     "revisedDate": "2026-01-01T00:00:00Z", "fields": {}}});
    let res = w
        .http
        .post(format!("{down}/hooks/ado/{}", w.integration_id))
        .basic_auth("navsync", Some(&w.webhook_secret))
        .json(&payload)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 503, "no broker, no 2xx");
    let _ = w.http.get(format!("{down}/readyz")).send().await;

    let text = logs.text();
    assert!(text.lines().count() > 20, "the services logged");
    let secrets = [
        ("the PAT", world::PAT.to_owned()),
        ("the rejected PAT", REJECTED_PAT.to_owned()),
        ("the webhook secret", w.webhook_secret.clone()),
        (
            "the JWT secret",
            base.auth.jwt_secret.expose_secret().to_owned(),
        ),
        (
            "the service token",
            base.auth.service_token.expose_secret().to_owned(),
        ),
        ("the admin's token", w.admin.clone()),
        ("the broker password", BROKER_PASSWORD.to_owned()),
    ];
    for (what, secret) in &secrets {
        assert!(secret.len() >= 8, "{what} is a real secret");
        assert!(
            !text.contains(secret.as_str()),
            "{what} appears in the logs"
        );
        for encoded in base64_anywhere(secret) {
            assert!(
                !text.contains(encoded.as_str()),
                "{what} appears base64-encoded in the logs"
            );
        }
    }
    // The Basic credentials as they travel: the PAT to ADO (empty user name), the webhook
    // secret from ADO's service hook (user `navsync`), each a header value of its own.
    let basic = |user: &str, password: &str| {
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    };
    for (what, header) in [
        ("the PAT's Basic header", basic("", world::PAT)),
        ("the rejected PAT's Basic header", basic("", REJECTED_PAT)),
        (
            "the webhook's Basic header",
            basic("navsync", &w.webhook_secret),
        ),
    ] {
        assert!(
            !text.contains(header.as_str()),
            "{what} appears in the logs"
        );
    }
    every_line_is_json_and_request_lines_name_their_trace(&text);
    // The error paths did log (so the sweep above looked at them), with their trace ids.
    for evidence in [
        "pat_rejected",
        "integration needs attention",
        "Connection refused",
    ] {
        assert!(text.contains(evidence), "the logs mention {evidence}");
    }
    assert!(text.contains("\"trace_id\":"), "log lines carry trace ids");
}

/// What `secret` looks like inside any base64 text, whatever precedes it: one string per
/// alignment (the secret starting at byte 0, 1 or 2 of a 3-byte group), without the
/// groups at either end that also hold the neighbouring bytes. `:PAT` and
/// `navsync:secret`, as Basic headers encode them, are two of these alignments.
fn base64_anywhere(secret: &str) -> Vec<String> {
    (0..3)
        .map(|offset| {
            let mut bytes = vec![0u8; offset];
            bytes.extend_from_slice(secret.as_bytes());
            let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let start = if offset == 0 { 0 } else { 4 };
            encoded[start..encoded.len() - 4].to_owned()
        })
        .collect()
}

/// Each line is one JSON object; each written while a request was handled (by a route, the
/// request middleware or a readiness check) names its trace and span.
fn every_line_is_json_and_request_lines_name_their_trace(text: &str) {
    let mut in_requests = 0;
    for line in text.lines() {
        let parsed: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
        assert!(
            parsed.is_object(),
            "a log line that is not an object: {line}"
        );
        let target = parsed["target"].as_str().unwrap_or_default();
        let in_request = target.contains("::routes::")
            || target.starts_with("tracing_actix_web")
            || target == "navsync_platform::health";
        if !in_request {
            continue;
        }
        in_requests += 1;
        let id = |key: &str, len: usize| {
            parsed[key].as_str().is_some_and(|v| {
                v.len() == len
                    && v.chars().all(|c| c.is_ascii_hexdigit())
                    && v.chars().any(|c| c != '0')
            })
        };
        assert!(
            id("trace_id", 32) && id("span_id", 16),
            "a line written inside a request without its trace and span ids: {line}"
        );
    }
    assert!(
        in_requests >= 5,
        "the requests above logged (a refused webhook, a rejected PAT, ...): {in_requests} lines"
    );
}
