//! Every metric that docs/metrics.md lists, and every metric that the alert rules and the
//! dashboard in deploy/observability/ read, is exported by a running service: each binary
//! runs as its own process (so each `/metrics` is its own), a little traffic goes through
//! (an integration, an action item synced to ADO, an edit in ADO coming back through the
//! service hook, a webhook with a wrong secret), then every `/metrics` is scraped.

mod common;
#[path = "support/procs.rs"]
mod procs;
#[path = "support/promql_names.rs"]
mod promql_names;

use std::collections::{BTreeMap, BTreeSet};

use navsync_test_support::token;
use procs::{ORG, PAT, eventually, start_all};
use serde_json::{Value, json};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The sample names of a Prometheus text page.
fn sample_names(page: &str) -> BTreeSet<String> {
    page.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect()
}

/// Whether `name` is exported: as a sample, or as a histogram (`_bucket`).
fn exported(names: &BTreeSet<String>, name: &str) -> bool {
    names.contains(name) || names.contains(&format!("{name}_bucket"))
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
async fn every_documented_and_alerted_metric_is_exported_by_a_running_service() {
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

    // Scrape every service.
    let services = [
        ("integrations", &s.integrations.url),
        ("action-items", &s.action_items.url),
        ("webhook-ingress", &s.ingress.url),
        ("ado-sync", &s.sync.url),
    ];
    let mut scraped = BTreeMap::new();
    for (name, url) in services {
        let page = http
            .get(format!("{url}/metrics"))
            .send()
            .await
            .expect("scraped")
            .text()
            .await
            .expect("text");
        scraped.insert(name.to_owned(), sample_names(&page));
    }
    let everywhere: BTreeSet<String> = scraped.values().flatten().cloned().collect();

    let mut missing = Vec::new();
    let docs = documented();
    assert!(docs.len() > 10, "docs/metrics.md lists the metrics");
    for (metric, exporters) in &docs {
        for service in exporters {
            let Some(names) = scraped.get(service) else {
                missing.push(format!(
                    "docs/metrics.md: unknown service {service} for {metric}"
                ));
                continue;
            };
            if !exported(names, metric) {
                missing.push(format!(
                    "{metric} (docs/metrics.md) is not exported by {service}"
                ));
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
}
