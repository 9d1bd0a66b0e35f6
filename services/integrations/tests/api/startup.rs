//! Starting the service: replicas racing on an empty database, health and readiness.

use navsync_integrations::Application;
use navsync_test_support::TestDatabase;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread")]
async fn two_services_started_at_once_on_an_empty_database_both_become_ready() {
    let db = TestDatabase::create().await;
    let settings = navsync_test_support::settings(&db, "http://127.0.0.1:9", &[]);
    let (a, b) = tokio::join!(
        Application::build(settings.clone()),
        Application::build(settings)
    );
    let (a, b) = (a.expect("first builds"), b.expect("second builds"));
    let shutdown = CancellationToken::new();
    let ports = [a.port(), b.port()];
    tokio::spawn(a.run_until_stopped(shutdown.clone()));
    tokio::spawn(b.run_until_stopped(shutdown.clone()));
    let http = reqwest::Client::new();
    for port in ports {
        let res = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["checks"]["database"], "ok");
        let res = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 200);
    }
    let metrics = http
        .get(format!("http://127.0.0.1:{}/metrics", ports[0]))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_fails_while_the_database_is_unreachable() {
    let db = TestDatabase::create().await;
    let settings = navsync_test_support::settings(&db, "http://127.0.0.1:9", &[]);
    let app = Application::build(settings).await.expect("builds");
    let port = app.port();
    let shutdown = CancellationToken::new();
    tokio::spawn(app.run_until_stopped(shutdown.clone()));
    let name = db.name().to_owned();
    drop(db);
    let res = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .expect("sent");
    assert_eq!(res.status(), 503, "database {name} was dropped");
    let res = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .expect("sent");
    assert_eq!(res.status(), 200, "alive even when not ready");
    shutdown.cancel();
}
