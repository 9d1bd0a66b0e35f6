//! The binary: seed file from `NAVSYNC_EMULATOR__SEED`, serving, and stopping on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_navsync-ado-emulator");

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("ado-emulator-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("a temp file");
    path
}

#[test]
fn a_missing_seed_file_stops_the_binary_with_one_line_naming_the_variable() {
    let output = Command::new(BINARY)
        .env("NAVSYNC_EMULATOR__SEED", "/nonexistent/seed.json")
        .env("NAVSYNC_HTTP__PORT", "0")
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("NAVSYNC_EMULATOR__SEED"), "{stderr}");
}

#[test]
fn an_invalid_seed_file_stops_the_binary_naming_the_problem() {
    let path = temp_file(
        "bad.json",
        r#"{"organizations": [{"name": "x", "process": "Kanban"}]}"#,
    );
    let output = Command::new(BINARY)
        .env("NAVSYNC_EMULATOR__SEED", &path)
        .env("NAVSYNC_HTTP__PORT", "0")
        .output()
        .expect("the binary runs");
    let _ = std::fs::remove_file(&path);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("NAVSYNC_EMULATOR__SEED") && stderr.contains("Kanban"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_binary_serves_its_seed_and_stops_gracefully_on_sigterm() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let path = temp_file(
        "good.json",
        r#"{"organizations": [{"name": "bin-org", "pats": ["bin-pat"]}]}"#,
    );
    let mut child = Command::new(BINARY)
        .env("NAVSYNC_EMULATOR__SEED", &path)
        .env("NAVSYNC_HTTP__PORT", port.to_string())
        .stdout(Stdio::null())
        .spawn()
        .expect("the binary starts");

    let url = format!(
        "http://127.0.0.1:{port}/_apis/resourceAreas/79134c72-4a58-4b42-976c-04e7115f32bf?accountName=bin-org&api-version=5.0-preview.1"
    );
    let mut body = None;
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(&url).await {
            body = response.json::<serde_json::Value>().await.ok();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = std::fs::remove_file(&path);
    let body = body.expect("the binary answers within 10 s");
    assert_eq!(
        body["locationUrl"],
        format!("http://127.0.0.1:{port}/bin-org/")
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("the binary exits");
    assert!(status.success(), "{status}");
}

#[test]
fn a_hook_retry_scale_that_is_not_a_number_stops_the_binary_naming_the_variable() {
    let output = Command::new(BINARY)
        .env("NAVSYNC_EMULATOR__HOOK_RETRY_SCALE", "fast")
        .env("NAVSYNC_HTTP__PORT", "0")
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("NAVSYNC_EMULATOR__HOOK_RETRY_SCALE"),
        "{stderr}"
    );
}
