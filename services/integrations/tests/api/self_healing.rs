//! Self-healing (issue #11) as the admin sees it: the health of the service hooks that call
//! the Webhook URL, creating them, and the PAT's expiry with its warnings.

use chrono::{TimeDelta, Utc};
use navsync_ado_emulator::{SeedPat, SubscriptionStatus};
use navsync_contracts::{Event, IntegrationChange};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, code, spawn_app};

/// Work items and projects, but no Service Hooks scope.
const NO_HOOKS_PAT: &str = "nohookspat0nohookspat1nohookspat2nohookspat3nohookspatAZDO45";

async fn health(app: &TestApp, id: &str) -> serde_json::Value {
    let (status, body) = app
        .admin(
            Method::GET,
            &format!("/v1/integrations/{id}/hook-health"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn hook_health_follows_the_subscriptions_ado_holds_and_shows_when_ado_disables_one() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    assert_eq!(health(&app, &id).await["status"], "none_found");

    let (status, body) = app
        .admin(Method::POST, &format!("/v1/integrations/{id}/hooks"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["created"].as_array().map(Vec::len), Some(3));
    let subs = app.emulator.emulator.subscriptions("p2anav-dev");
    assert_eq!(subs.len(), 3);
    let (_, view) = app
        .admin(Method::GET, &format!("/v1/integrations/{id}"), None)
        .await;
    let webhook_url = view["webhook_url"].as_str().expect("url");
    assert!(subs.iter().all(|s| s.url == webhook_url));
    let now = health(&app, &id).await;
    assert_eq!(now["status"], "enabled", "{now}");
    assert_eq!(now["missing_events"], json!([]));

    // ADO disables one silently (e.g. after 36 hours of failures).
    let updated = subs
        .iter()
        .find(|s| s.event_type == "workitem.updated")
        .expect("updated");
    assert!(app.emulator.emulator.set_subscription_status(
        "p2anav-dev",
        updated.id,
        SubscriptionStatus::DisabledBySystem
    ));
    let now = health(&app, &id).await;
    assert_eq!(now["status"], "disabledBySystem", "{now}");
    assert_eq!(now["missing_events"], json!(["workitem.updated"]));
    let (_, view) = app
        .admin(Method::GET, &format!("/v1/integrations/{id}"), None)
        .await;
    assert_eq!(view["hook_status"], "disabledBySystem");
    assert!(view["hook_checked_at"].is_string());

    // "Create it for me" re-creates only what is missing.
    let (status, body) = app
        .admin(Method::POST, &format!("/v1/integrations/{id}/hooks"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["created"], json!(["workitem.updated"]));
    assert!(
        app.audit_actions(&id)
            .await
            .contains(&"settings_changed".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_service_hooks_scope_health_is_unknown_and_nothing_is_flagged() {
    let app = spawn_app().await;
    app.emulator.emulator.add_pat(
        "p2anav-dev",
        SeedPat::with_scopes(NO_HOOKS_PAT, &["vso.project", "vso.work_write"]),
    );
    let (status, body) = app.create("p2anav-dev", NO_HOOKS_PAT).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let now = health(&app, &id).await;
    assert_eq!(
        (&now["status"], &now["reason"]),
        (&json!("unknown"), &json!("not_permitted"))
    );
    let (status, body) = app
        .admin(Method::POST, &format!("/v1/integrations/{id}/hooks"), None)
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(code(&body), "hooks_not_permitted");
    let (_, view) = app
        .admin(Method::GET, &format!("/v1/integrations/{id}"), None)
        .await;
    assert_eq!(
        view["status"], "active",
        "a missing hooks scope is not a rejected PAT"
    );
}

async fn pat_expiring_events(app: &TestApp) -> Vec<IntegrationChange> {
    app.events
        .snapshot_envelopes()
        .await
        .into_iter()
        .filter_map(|e| match e.data {
            Event::IntegrationChanged(c) if c.change == IntegrationChange::PatExpiring => {
                Some(c.change)
            }
            _ => None,
        })
        .collect()
}

/// Found while documenting the API for schemathesis (issue #10): chrono reads five-digit
/// years, so `+10000-01-01` was stored and the view answered
/// `"+10000-01-01T23:59:59Z"`, which is no RFC 3339 `date-time` (the document's format).
#[tokio::test(flavor = "multi_thread")]
async fn a_pat_expiry_beyond_year_9999_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    for bad in ["+10000-01-01", "+99999-12-31", "9999-12-31T23:59:59-01:00"] {
        let (status, body) = app
            .admin(Method::PATCH, &path, Some(json!({"pat_expires_at": bad})))
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(code(&body), "invalid_pat_expires_at");
    }
    let (_, view) = app.admin(Method::GET, &path, None).await;
    assert!(view["pat_expires_at"].is_null(), "{view}");
    let (status, view) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"pat_expires_at": "9999-12-31"})),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["pat_expires_at"], "9999-12-31T23:59:59Z");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pat_expiry_warns_once_per_threshold_in_the_view_metrics_and_events() {
    let app = spawn_app().await;
    let id = app.create_ok().await;
    let path = format!("/v1/integrations/{id}");
    for bad in ["2020-01-01", "next week"] {
        let (status, body) = app
            .admin(Method::PATCH, &path, Some(json!({"pat_expires_at": bad})))
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(code(&body), "invalid_pat_expires_at");
    }
    let (_, view) = app.admin(Method::GET, &path, None).await;
    assert!(view["pat_expiry_warning"].is_null());

    let in_five_days = (Utc::now() + TimeDelta::days(5))
        .format("%Y-%m-%d")
        .to_string();
    let (status, view) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"pat_expires_at": in_five_days})),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert!(view["pat_expires_at"].is_string());
    assert_eq!(view["pat_expiry_warning"]["threshold_days"], 7, "{view}");

    let pool = navsync_platform::db::pool(&app.db.url().to_owned().into(), 2).expect("pool");
    let now = navsync_platform::db::now();
    assert_eq!(
        navsync_integrations::pat_watch::pass(&pool, now)
            .await
            .expect("pass"),
        1
    );
    assert_eq!(
        navsync_integrations::pat_watch::pass(&pool, now)
            .await
            .expect("pass"),
        0,
        "once per threshold"
    );
    // Four days later the 1-day threshold is crossed: one more warning.
    let later = now + TimeDelta::days(5);
    assert_eq!(
        navsync_integrations::pat_watch::pass(&pool, later)
            .await
            .expect("pass"),
        1
    );
    let mut waited = 0;
    while pat_expiring_events(&app).await.len() < 2 && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(pat_expiring_events(&app).await.len(), 2);
    assert_eq!(
        app.audit_actions(&id)
            .await
            .iter()
            .filter(|a| *a == "pat_expiring")
            .count(),
        2
    );
    let metrics = app.metrics_text().await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("integration_pat_expires_in_days") && l.contains(&id)),
        "{metrics}"
    );

    // A new PAT forgets the old expiry.
    let (status, view) = app
        .admin(
            Method::PATCH,
            &path,
            Some(json!({"pat": crate::helpers::GOOD_PAT})),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert!(view["pat_expires_at"].is_null() && view["pat_expiry_warning"].is_null());
    // ... and the metric stops counting down: no expiry is known, no alert can fire.
    navsync_integrations::pat_watch::pass(&pool, later)
        .await
        .expect("pass");
    let metrics = app.metrics_text().await;
    let line = metrics
        .lines()
        .find(|l| l.starts_with("integration_pat_expires_in_days") && l.contains(&id))
        .unwrap_or_else(|| panic!("{metrics}"));
    let value = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok());
    assert_eq!(value, Some(f64::INFINITY), "{line}");
}
