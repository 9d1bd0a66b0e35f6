//! Secrets never reach the database in plaintext, the logs, or an error.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{GOOD_PAT, TestApp, UNKNOWN_PAT, spawn_app};

/// The whole test database as SQL text, as a backup would hold it.
pub async fn pg_dump(app: &TestApp) -> String {
    let out = tokio::process::Command::new("pg_dump")
        .arg("--no-owner")
        .arg(app.db.url())
        .output()
        .await
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn neither_the_database_nor_the_logs_hold_the_pat_or_the_webhook_secret() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let secret = app.reveal(&id, "webhook_secret").await;
    // Error paths log too: a rejected PAT, ADO failing, a bad token.
    let path = format!("/v1/integrations/{id}");
    app.admin(Method::PATCH, &path, Some(json!({"pat": UNKNOWN_PAT})))
        .await;
    app.fault(json!({"status": 500, "count": 4})).await;
    app.admin(Method::PATCH, &path, Some(json!({"pat": GOOD_PAT})))
        .await;
    app.send(Method::GET, &path, Some("garbage.token.value"), None)
        .await;
    app.admin(Method::POST, &format!("{path}/webhook-secret/rotate"), None)
        .await;

    let dump = pg_dump(&app).await;
    assert!(dump.contains(&id), "the dump is of the right database");
    for value in [GOOD_PAT, UNKNOWN_PAT, secret.as_str()] {
        assert!(!dump.contains(value), "plaintext secret in the database");
    }
    let logs = app.logs.text();
    assert!(!logs.is_empty(), "logs were captured");
    for value in [GOOD_PAT, UNKNOWN_PAT, secret.as_str()] {
        assert!(!logs.contains(value), "secret in the logs");
    }
}
