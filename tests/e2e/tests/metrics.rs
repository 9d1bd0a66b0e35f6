//! docs/metrics.md and the running services agree both ways, and the metrics move: each
//! binary runs as its own process (so each `/metrics` is its own), a little traffic goes
//! through (an integration with its PAT's expiry, an action item synced to ADO, an edit
//! in ADO coming back through the service hook, a webhook with a wrong secret), then
//! every `/metrics` is scraped and
//!
//! - every metric docs/metrics.md lists is exported by each service it names,
//! - every metric a service exports is listed there, for that service,
//! - every metric the alert rules and the dashboard (deploy/observability/) read exists,
//! - the series the traffic went through counted it (sync lag both ways, ADO calls,
//!   messages published and consumed, the outbox, accepted webhooks, ...).

mod common;
#[path = "support/procs.rs"]
mod procs;
#[path = "support/prom_text.rs"]
mod prom_text;
#[path = "support/promql_names.rs"]
mod promql_names;

use std::collections::{BTreeMap, BTreeSet};

use navsync_test_support::token;
use procs::{ORG, PAT, eventually, start_all};
use prom_text::{Sample, family, matching, sum};
use serde_json::{Value, json};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The metrics of a page: sample names, a histogram's `_bucket` / `_sum` / `_count` as
/// the histogram's own name.
fn families(samples: &[Sample]) -> BTreeSet<String> {
    samples.iter().map(|s| family(&s.name).to_owned()).collect()
}

/// docs/metrics.md's table: metric → the services that export it (`all` expanded).
fn documented() -> BTreeMap<String, Vec<String>> {
    let doc = std::fs::read_to_string(root().join("docs/metrics.md")).expect("docs/metrics.md");
    let all = [
        "integrations",
        "action-items",
        "webhook-ingress",
        "ado-sync",
    ];
    doc.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.first()?.trim_end_matches('`').to_owned();
            let services = cells.get(3)?;
            let services = if *services == "all" {
                all.iter().map(|s| (*s).to_owned()).collect()
            } else {
                services.split(',').map(|s| s.trim().to_owned()).collect()
            };
            Some((name, services))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_docs_and_the_running_services_agree_on_every_metric_and_the_traffic_moves_them() {
    let started = chrono::Utc::now().timestamp() as f64;
    let s = start_all().await;
    let http = reqwest::Client::new();
    let admin = token(uuid::Uuid::new_v4()).encode();

    // Traffic: an integration, its service hook, an action item synced, an edit in ADO.
    let integration: Value = http
        .post(format!("{}/v1/integrations", s.integrations.url))
        .bearer_auth(&admin)
        .json(&json!({"organization": ORG, "pat": PAT}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let integration_id = integration["id"].as_str().expect("integration").to_owned();
    // The admin gives the PAT's expiry, 90 days ahead (no warning yet, only the gauge).
    let expires = (chrono::Utc::now() + chrono::TimeDelta::days(90)).format("%Y-%m-%d");
    let res = http
        .patch(format!(
            "{}/v1/integrations/{integration_id}",
            s.integrations.url
        ))
        .bearer_auth(&admin)
        .json(&json!({"pat_expires_at": expires.to_string()}))
        .send()
        .await
        .expect("sent");
    assert!(res.status().is_success(), "PAT expiry: {}", res.status());
    let secret: Value = http
        .post(format!(
            "{}/v1/integrations/{integration_id}/reveal",
            s.integrations.url
        ))
        .bearer_auth(&admin)
        .json(&json!({"field": "webhook_secret"}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let webhook_url = format!("{}/hooks/ado/{integration_id}", s.ingress.url);
    let res = http
        .post(format!(
            "{}/_emulator/organizations/{ORG}/subscriptions",
            s.emulator.url
        ))
        .json(
            &json!({"publisherId": "tfs", "eventType": "workitem.updated", "consumerId": "webHooks",
            "consumerActionId": "httpRequest", "publisherInputs": {"projectId": "Alpha"},
            "consumerInputs": {"url": webhook_url, "basicAuthUsername": "navsync",
                "basicAuthPassword": secret["value"], "resourceDetailsToSend": "all"}}),
        )
        .send()
        .await
        .expect("sent");
    assert!(res.status().is_success(), "subscription: {}", res.status());
    let item: Value = http
        .post(format!("{}/v1/action-items", s.action_items.url))
        .bearer_auth(&admin)
        .json(&json!({"title": "Count me", "status": "in_progress"}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let id = item["id"].as_str().expect("action item").to_owned();
    let get_item = || async {
        http.get(format!("{}/v1/action-items/{id}", s.action_items.url))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("sent")
            .json::<Value>()
            .await
            .unwrap_or(Value::Null)
    };
    assert!(
        eventually(30, || async {
            get_item().await["ado"]["sync_state"] == "synced"
        })
        .await,
        "the action item synced"
    );
    let wi = get_item().await["ado"]["work_item_id"]
        .as_i64()
        .expect("work item");
    let res = http
        .post(format!(
            "{}/_emulator/organizations/{ORG}/workitems/{wi}/edit",
            s.emulator.url
        ))
        .json(&json!({"fields": {"System.Title": "Counted in ADO"}}))
        .send()
        .await
        .expect("sent");
    assert!(res.status().is_success(), "edit in ADO: {}", res.status());
    assert!(
        eventually(30, || async {
            get_item().await["title"] == "Counted in ADO"
        })
        .await,
        "the edit in ADO came back"
    );
    let unauthorized = http
        .post(&webhook_url)
        .basic_auth("navsync", Some("not-the-secret"))
        .json(&json!({"eventType": "workitem.updated"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(unauthorized.status().as_u16(), 401);

    // Scrape every service; the PAT expiry check runs every second here, so integrations
    // has the gauge of the expiry set above within a moment.
    let services = [
        ("integrations", &s.integrations.url),
        ("action-items", &s.action_items.url),
        ("webhook-ingress", &s.ingress.url),
        ("ado-sync", &s.sync.url),
    ];
    let scrape = |url: String| {
        let http = http.clone();
        async move {
            let page = http
                .get(format!("{url}/metrics"))
                .send()
                .await
                .expect("scraped")
                .text()
                .await
                .expect("text");
            prom_text::parse(&page)
        }
    };
    assert!(
        eventually(10, || async {
            let page = scrape(s.integrations.url.clone()).await;
            matching(&page, "integration_pat_expires_in_days", &[]).count() > 0
        })
        .await,
        "the PAT expiry check set its gauge"
    );
    let mut scraped: BTreeMap<String, Vec<Sample>> = BTreeMap::new();
    for (name, url) in services {
        scraped.insert(name.to_owned(), scrape(url.clone()).await);
    }
    let exported: BTreeMap<&str, BTreeSet<String>> = scraped
        .iter()
        .map(|(service, samples)| (service.as_str(), families(samples)))
        .collect();
    // PromQL reads a histogram through its series (`_bucket`, `_sum`), so both forms count.
    let everywhere: BTreeSet<String> = exported
        .values()
        .flatten()
        .cloned()
        .chain(scraped.values().flatten().map(|s| s.name.clone()))
        .collect();

    let mut missing = Vec::new();
    let docs = documented();
    assert!(docs.len() > 10, "docs/metrics.md lists the metrics");
    for (metric, exporters) in &docs {
        for service in exporters {
            let Some(names) = exported.get(service.as_str()) else {
                missing.push(format!(
                    "docs/metrics.md: unknown service {service} for {metric}"
                ));
                continue;
            };
            if !names.contains(metric) {
                missing.push(format!(
                    "{metric} (docs/metrics.md) is not exported by {service}"
                ));
            }
        }
    }
    // The other way: nothing a service exports goes undocumented.
    for (service, names) in &exported {
        for name in names {
            match docs.get(name) {
                None => missing.push(format!(
                    "{name} (exported by {service}) is not in docs/metrics.md"
                )),
                Some(exporters) if !exporters.iter().any(|e| e == service) => missing.push(
                    format!("{name} is exported by {service}, which docs/metrics.md does not name"),
                ),
                Some(_) => {}
            }
        }
    }

    let mut exprs = promql_names::rule_exprs(
        &std::fs::read_to_string(root().join("deploy/observability/alerts.rules.yml"))
            .expect("rules"),
    );
    assert!(exprs.len() >= 5, "the rules file has its alerts");
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("deploy/observability/navsync-dashboard.json"))
            .expect("dashboard"),
    )
    .expect("the dashboard is JSON");
    promql_names::dashboard_exprs(&dashboard, &mut exprs);
    for expr in &exprs {
        let names = promql_names::metric_names(expr);
        assert!(!names.is_empty(), "no metric found in {expr}");
        for name in names {
            if !everywhere.contains(&name) {
                missing.push(format!(
                    "{name} (read by `{expr}`) is exported by no service"
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing metrics:\n{}",
        missing.join("\n")
    );

    the_traffic_moved_the_metrics(&scraped, &integration_id, started);
}

/// What the traffic above must have counted, service by service.
fn the_traffic_moved_the_metrics(
    scraped: &BTreeMap<String, Vec<Sample>>,
    integration_id: &str,
    started: f64,
) {
    let of = |service: &str| scraped.get(service).map(Vec::as_slice).unwrap_or_default();
    let (items, sync, ingress, integrations) = (
        of("action-items"),
        of("ado-sync"),
        of("webhook-ingress"),
        of("integrations"),
    );
    let integration = [("integration_id", integration_id)];
    let mut wrong = Vec::new();
    let mut expect = |ok: bool, what: &str| {
        if !ok {
            wrong.push(what.to_owned());
        }
    };

    // The round trip, measured where both ends meet.
    for direction in ["to_ado", "from_ado"] {
        let count = sum(items, "sync_lag_seconds_count", &[("direction", direction)]);
        let total = sum(items, "sync_lag_seconds_sum", &[("direction", direction)]);
        expect(
            count >= 1.0,
            &format!("sync_lag_seconds{{direction={direction}}} counted the sync: count {count}"),
        );
        expect(
            (0.0..60.0 * count).contains(&total),
            &format!(
                "sync_lag_seconds{{direction={direction}}} sums to a sane lag: {total} s over {count}"
            ),
        );
    }
    // ado-sync: the create, and the edit in ADO coming back.
    expect(
        sum(sync, "ado_calls_total", &[("outcome", "ok")]) >= 1.0,
        "ado_calls_total{outcome=ok} > 0",
    );
    expect(
        sum(sync, "ado_requests_total", &[("status", "200")]) >= 1.0,
        "ado-sync's ado_requests_total{status=200} > 0",
    );
    expect(
        sum(sync, "sync_outcomes_total", &[("outcome", "synced")]) >= 1.0,
        "sync_outcomes_total{outcome=synced} > 0",
    );
    expect(
        sum(sync, "sync_creates_total", &[("outcome", "created")]) >= 1.0,
        "sync_creates_total{outcome=created} > 0",
    );
    expect(
        sum(sync, "ado_changes_total", &[("outcome", "published")]) >= 1.0,
        "ado_changes_total{outcome=published} > 0",
    );
    expect(
        sum(sync, "sync_last_write_timestamp_seconds", &integration) >= started,
        "sync_last_write_timestamp_seconds of the integration is after the start",
    );
    // Messages: published with confirms and consumed, on every hop of the trip.
    for service in ["action-items", "webhook-ingress", "ado-sync"] {
        let published = sum(
            of(service),
            "messages_published_total",
            &[("outcome", "confirmed")],
        );
        expect(
            published >= 1.0,
            &format!("{service}: messages_published_total{{outcome=confirmed}} > 0"),
        );
    }
    // A private queue of integration changes (one per replica, named at random) counts
    // under one name, whatever its name this start.
    for (service, queue) in [
        ("webhook-ingress", "webhook-ingress.integrations"),
        ("ado-sync", "ado-sync.integrations"),
    ] {
        let consumed = sum(
            of(service),
            "messages_consumed_total",
            &[("queue", queue), ("outcome", "ack")],
        );
        expect(
            consumed >= 1.0,
            &format!("{service}: messages_consumed_total{{queue={queue},outcome=ack}} > 0"),
        );
    }
    for service in ["action-items", "ado-sync"] {
        let consumed = sum(
            of(service),
            "messages_consumed_total",
            &[("outcome", "ack")],
        );
        expect(
            consumed >= 1.0,
            &format!("{service}: messages_consumed_total{{outcome=ack}} > 0"),
        );
        let dead = sum(
            of(service),
            "messages_consumed_total",
            &[("outcome", "dead_letter")],
        );
        expect(
            dead == 0.0,
            &format!("{service}: nothing dead-lettered, got {dead}"),
        );
    }
    // The outboxes published and are not stuck.
    for service in ["action-items", "integrations"] {
        let outbox = of(service);
        expect(
            sum(outbox, "outbox_published_total", &[]) >= 1.0,
            &format!("{service}: outbox_published_total > 0"),
        );
        let backlog = sum(outbox, "outbox_backlog", &[]);
        expect(
            backlog >= 0.0 && backlog.fract() == 0.0,
            &format!("{service}: outbox_backlog is a count: {backlog}"),
        );
        let age = sum(outbox, "outbox_oldest_age_seconds", &[]);
        expect(
            (0.0..60.0).contains(&age),
            &format!("{service}: outbox_oldest_age_seconds under 60: {age}"),
        );
    }
    // The webhook-ingress: the edit's webhook accepted, the wrong secret refused.
    expect(
        sum(
            ingress,
            "webhooks_total",
            &[("outcome", "accepted"), ("event_type", "workitem.updated")],
        ) >= 1.0,
        "webhooks_total{outcome=accepted} > 0",
    );
    expect(
        sum(ingress, "webhooks_total", &[("outcome", "unauthorized")]) >= 1.0,
        "webhooks_total{outcome=unauthorized} > 0",
    );
    expect(
        sum(
            ingress,
            "webhook_last_received_timestamp_seconds",
            &integration,
        ) >= started,
        "webhook_last_received_timestamp_seconds of the integration is after the start",
    );
    // integrations: its PAT's expiry (90 days ahead) watched. (`integrations{status}` is
    // recounted every 15 s, longer than this test; its presence is checked above.)
    let days = sum(
        integrations,
        "integration_pat_expires_in_days",
        &integration,
    );
    expect(
        (89.0..=90.0).contains(&days),
        &format!("integration_pat_expires_in_days is 89 or 90: {days}"),
    );
    // Every service answered HTTP requests and counted them.
    for (service, samples) in scraped {
        expect(
            sum(samples, "http_requests_total", &[]) >= 1.0,
            &format!("{service}: http_requests_total > 0"),
        );
    }
    assert!(
        wrong.is_empty(),
        "metrics that did not move as the traffic should have made them:\n{}",
        wrong.join("\n")
    );
}
