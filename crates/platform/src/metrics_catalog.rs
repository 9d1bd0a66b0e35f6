//! Every metric navsync exports: name, type, labels and meaning, in one table. Services
//! call [`register`] at start with the parts they run, which describes those metrics (the
//! `# HELP` line) and creates the series that would otherwise appear only after their
//! first event — so a fresh service already exports what the alerts and the dashboard
//! read (`deploy/observability/`). `docs/metrics.md` lists the same metrics; a unit test
//! keeps the two in step.

use metrics::Unit;

/// The parts of navsync that record metrics; a service registers those it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Every service: the HTTP server.
    Http,
    /// Services that publish or consume events.
    Messaging,
    /// Services with a transactional outbox (action-items, integrations).
    Outbox,
    /// Services that call ADO (integrations, ado-sync).
    Ado,
    /// ado-sync's work.
    Sync,
    /// action-items' view of the round trip.
    SyncLag,
    /// webhook-ingress.
    Webhooks,
    /// integrations' own table, the PAT expiry check and the hook health view.
    Integrations,
    /// The dead-letter API (ado-sync), which creates its per-queue series itself.
    DeadLetters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

#[derive(Debug)]
pub struct Metric {
    pub name: &'static str,
    pub kind: Kind,
    pub part: Part,
    pub labels: &'static [&'static str],
    pub help: &'static str,
    /// Series created at 0 (or an empty histogram) when the part registers, one per
    /// label set; empty when the series appear on their own (per queue, per integration).
    pub zero: &'static [&'static [(&'static str, &'static str)]],
}

const NONE: &[&[(&str, &str)]] = &[];
const NO_LABELS: &[&[(&str, &str)]] = &[&[]];

pub const CATALOG: &[Metric] = &[
    Metric {
        name: "http_requests_total",
        kind: Kind::Counter,
        part: Part::Http,
        labels: &["method", "route", "status"],
        help: "HTTP requests answered, by method, route pattern and status",
        zero: NONE,
    },
    Metric {
        name: "http_request_duration_seconds",
        kind: Kind::Histogram,
        part: Part::Http,
        labels: &["method", "route", "status"],
        help: "Time to answer an HTTP request",
        zero: NONE,
    },
    Metric {
        name: "messages_published_total",
        kind: Kind::Counter,
        part: Part::Messaging,
        labels: &["exchange", "outcome"],
        help: "Messages handed to RabbitMQ, by exchange (default: moves to retry and dead-letter queues) and outcome (confirmed, unroutable, nacked, unavailable)",
        zero: NONE,
    },
    Metric {
        name: "messages_consumed_total",
        kind: Kind::Counter,
        part: Part::Messaging,
        labels: &["queue", "outcome"],
        help: "Deliveries settled, by queue and outcome (ack, retry, dead_letter, dropped)",
        zero: NONE,
    },
    Metric {
        name: "dead_letter_messages",
        kind: Kind::Gauge,
        part: Part::Messaging,
        labels: &["queue"],
        help: "Messages waiting in a dead-letter queue, read from the broker every 15 s",
        zero: NONE,
    },
    Metric {
        name: "outbox_backlog",
        kind: Kind::Gauge,
        part: Part::Outbox,
        labels: &[],
        help: "Outbox rows not yet published",
        zero: NO_LABELS,
    },
    Metric {
        name: "outbox_oldest_age_seconds",
        kind: Kind::Gauge,
        part: Part::Outbox,
        labels: &[],
        help: "Age of the oldest unpublished outbox row (0 when empty)",
        zero: NO_LABELS,
    },
    Metric {
        name: "outbox_published_total",
        kind: Kind::Counter,
        part: Part::Outbox,
        labels: &[],
        help: "Outbox rows published with a broker confirm",
        zero: NO_LABELS,
    },
    Metric {
        name: "outbox_relay_batch_seconds",
        kind: Kind::Histogram,
        part: Part::Outbox,
        labels: &[],
        help: "Time of a relay pass that published something",
        zero: NO_LABELS,
    },
    Metric {
        name: "ado_requests_total",
        kind: Kind::Counter,
        part: Part::Ado,
        labels: &["method", "status"],
        help: "HTTP calls to ADO, by method and status (error: no answer)",
        zero: &[
            &[("method", "GET"), ("status", "200")],
            &[("method", "GET"), ("status", "429")],
            &[("method", "PATCH"), ("status", "429")],
        ],
    },
    Metric {
        name: "ado_request_duration_seconds",
        kind: Kind::Histogram,
        part: Part::Ado,
        labels: &["method"],
        help: "Latency of HTTP calls to ADO",
        zero: &[&[("method", "GET")]],
    },
    Metric {
        name: "ado_calls_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &["outcome"],
        help: "ado-sync's ADO operations through the per-organization gate, by outcome (ok, 429, unavailable, pat_rejected, error)",
        zero: &[&[("outcome", "ok")], &[("outcome", "429")]],
    },
    Metric {
        name: "ado_retry_after_wait_seconds",
        kind: Kind::Histogram,
        part: Part::Sync,
        labels: &[],
        help: "Time spent waiting before an ADO call because of Retry-After or an exhausted rate budget",
        zero: NO_LABELS,
    },
    Metric {
        name: "sync_outcomes_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &["outcome"],
        help: "Action item events handled by ado-sync, by outcome (synced, failed, paused, stale, unchanged, integration_disabled)",
        zero: &[&[("outcome", "synced")], &[("outcome", "failed")]],
    },
    Metric {
        name: "sync_creates_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &["outcome"],
        help: "Work items created (created) or found again after a lost answer (adopted)",
        zero: &[&[("outcome", "created")]],
    },
    Metric {
        name: "sync_parked_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &["reason"],
        help: "Events parked until the integration is usable again, by reason",
        zero: &[&[("reason", "pat_rejected")]],
    },
    Metric {
        name: "sync_parked",
        kind: Kind::Gauge,
        part: Part::Sync,
        labels: &[],
        help: "Events parked now",
        zero: NO_LABELS,
    },
    Metric {
        name: "sync_assignee_refused_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &[],
        help: "Syncs that went without the assignee because ADO refused it",
        zero: NO_LABELS,
    },
    Metric {
        name: "sync_last_write_timestamp_seconds",
        kind: Kind::Gauge,
        part: Part::Sync,
        labels: &["integration_id"],
        help: "When ado-sync last wrote a work item of the integration (Unix time)",
        zero: NONE,
    },
    Metric {
        name: "ado_changes_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &["outcome"],
        help: "ADO webhook events handled by ado-sync, by outcome (published, deleted, foreign, duplicate, echo, superseded)",
        zero: &[&[("outcome", "published")]],
    },
    Metric {
        name: "reconciler_runs_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &["outcome"],
        help: "Reconciler passes, by outcome (ok, failed, skipped: another replica holds the lock)",
        zero: &[&[("outcome", "ok")], &[("outcome", "failed")]],
    },
    Metric {
        name: "reconciler_items_checked_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &[],
        help: "Linked work items whose current revision the reconciler read from ADO",
        zero: NO_LABELS,
    },
    Metric {
        name: "reconciler_drift_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &["kind"],
        help: "Drift the reconciler found and repaired, by kind (changed: an edit whose webhook never came; deleted: a work item gone without a webhook)",
        zero: &[&[("kind", "changed")], &[("kind", "deleted")]],
    },
    Metric {
        name: "no_webhooks_flagged_total",
        kind: Kind::Counter,
        part: Part::Sync,
        labels: &[],
        help: "Integrations flagged needs_attention (no_webhooks) because writes to ADO were never followed by a webhook",
        zero: NO_LABELS,
    },
    Metric {
        name: "sync_lag_seconds",
        kind: Kind::Histogram,
        part: Part::SyncLag,
        labels: &["direction"],
        help: "Time from a change on one side to its arrival on the other (to_ado, from_ado)",
        zero: &[&[("direction", "to_ado")], &[("direction", "from_ado")]],
    },
    Metric {
        name: "webhooks_total",
        kind: Kind::Counter,
        part: Part::Webhooks,
        labels: &["outcome", "event_type", "reason"],
        help: "Webhook calls by outcome (accepted, ignored, rejected, disabled, unauthorized, rate_limited, unavailable, invalid) and event type; rejected ones by reason (no_event_type, no_notification_key, no_work_item_id, breaks_contract)",
        zero: &[
            &[("outcome", "accepted"), ("event_type", "workitem.updated")],
            &[("outcome", "unauthorized"), ("event_type", "unknown")],
        ],
    },
    Metric {
        name: "webhook_last_received_timestamp_seconds",
        kind: Kind::Gauge,
        part: Part::Webhooks,
        labels: &["integration_id"],
        help: "When the integration's service hook last called, authenticated (Unix time)",
        zero: NONE,
    },
    Metric {
        name: "integrations",
        kind: Kind::Gauge,
        part: Part::Integrations,
        labels: &["status"],
        help: "Integrations by status (active, disabled, needs_attention), counted every 15 s",
        zero: &[
            &[("status", "active")],
            &[("status", "disabled")],
            &[("status", "needs_attention")],
        ],
    },
    Metric {
        name: "hook_health_checks_total",
        kind: Kind::Counter,
        part: Part::Integrations,
        labels: &["status"],
        help: "Service hook health checks asked by an admin, by the status found (enabled, onProbation, disabledByUser, disabledBySystem, disabledByInactiveIdentity, none_found, unknown, other)",
        zero: &[
            &[("status", "enabled")],
            &[("status", "disabledBySystem")],
            &[("status", "none_found")],
        ],
    },
    Metric {
        name: "integration_pat_expires_in_days",
        kind: Kind::Gauge,
        part: Part::Integrations,
        labels: &["integration_id"],
        help: "Whole days until the integration's PAT expires (negative once expired), for integrations whose admin gave the expiry; set every PAT expiry check; +Inf once the date is removed",
        zero: NONE,
    },
    Metric {
        name: "dead_letters_total",
        kind: Kind::Counter,
        part: Part::DeadLetters,
        labels: &["queue", "action"],
        help: "Dead letters acted on through the dead-letter API, by queue and action (redriven, discarded)",
        zero: NONE,
    },
];

/// Describes the metrics of `parts` and creates their initial series.
pub fn register(parts: &[Part]) {
    crate::http_metrics::install();
    for metric in CATALOG.iter().filter(|m| parts.contains(&m.part)) {
        let unit = metric.name.ends_with("_seconds").then_some(Unit::Seconds);
        match (metric.kind, unit) {
            (Kind::Counter, _) => metrics::describe_counter!(metric.name, metric.help),
            (Kind::Gauge, Some(u)) => metrics::describe_gauge!(metric.name, u, metric.help),
            (Kind::Gauge, None) => metrics::describe_gauge!(metric.name, metric.help),
            (Kind::Histogram, Some(u)) => metrics::describe_histogram!(metric.name, u, metric.help),
            (Kind::Histogram, None) => metrics::describe_histogram!(metric.name, metric.help),
        }
        for labels in metric.zero {
            let labels: Vec<metrics::Label> = labels
                .iter()
                .map(|(k, v)| metrics::Label::new(*k, *v))
                .collect();
            match metric.kind {
                Kind::Counter => metrics::counter!(metric.name, labels).increment(0),
                // Only a gauge nobody set yet is created at 0.
                Kind::Gauge => metrics::gauge!(metric.name, labels).increment(0.0),
                Kind::Histogram => {
                    let _ = metrics::histogram!(metric.name, labels);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CATALOG;

    #[test]
    fn docs_metrics_md_lists_exactly_the_catalog() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/metrics.md");
        let docs = std::fs::read_to_string(path).expect("docs/metrics.md exists");
        // Documented metrics are the first cell of a table row: | `name` | type | ...
        let documented: Vec<&str> = docs
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        for metric in CATALOG {
            assert!(
                documented.contains(&metric.name),
                "{} is missing from docs/metrics.md",
                metric.name
            );
        }
        for name in &documented {
            assert!(
                CATALOG.iter().any(|m| m.name == *name),
                "docs/metrics.md lists {name}, which no service exports"
            );
        }
    }

    #[test]
    fn docs_metrics_md_gives_each_metric_its_type_and_labels() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/metrics.md");
        let docs = std::fs::read_to_string(path).expect("docs/metrics.md exists");
        for metric in CATALOG {
            let row = docs
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", metric.name)))
                .unwrap_or_else(|| panic!("{} has no row", metric.name));
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let kind = match metric.kind {
                super::Kind::Counter => "counter",
                super::Kind::Gauge => "gauge",
                super::Kind::Histogram => "histogram",
            };
            assert_eq!(cells[2], kind, "the type of {}", metric.name);
            let labels: Vec<&str> = cells[3]
                .split(',')
                .map(|l| l.trim().trim_matches('`'))
                .filter(|l| !l.is_empty() && *l != "—")
                .collect();
            assert_eq!(labels, metric.labels, "the labels of {}", metric.name);
        }
    }

    #[test]
    fn names_follow_the_prometheus_conventions() {
        for metric in CATALOG {
            match metric.kind {
                super::Kind::Counter => assert!(metric.name.ends_with("_total"), "{}", metric.name),
                _ => assert!(!metric.name.ends_with("_total"), "{}", metric.name),
            }
            assert!(
                metric
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                metric.name
            );
        }
    }
}
