"""The observability part of `make deploy-lint` (deploy/observability/):

- the Prometheus rules file has the shape Prometheus loads (groups → rules with alert,
  expr, optional for / labels / annotations) and every expression parses as PromQL
  (promql-parser, the Rust parser that GreptimeDB uses, in a wheel);
- the Grafana dashboard is JSON with panels whose every target expression parses too
  (Grafana's $__rate_interval / $__interval stand in as 5m);
- every metric those expressions read is listed in docs/metrics.md (a histogram by its
  name, read as _bucket / _sum / _count). Whether running services really export them is
  tests/e2e/tests/metrics.rs's part.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import promql_parser
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "observability" / "alerts.rules.yml"
DASHBOARD = ROOT / "deploy" / "observability" / "navsync-dashboard.json"
METRICS_DOC = ROOT / "docs" / "metrics.md"
WANTED_ALERTS = {
    "NavsyncIntegrationNeedsAttention",
    "NavsyncSyncLagHigh",
    "NavsyncDeadLetters",
    "NavsyncOutboxStuck",
    "NavsyncServiceHookSilent",
}


def documented_metrics() -> set[str]:
    names = set()
    for line in METRICS_DOC.read_text().splitlines():
        m = re.match(r"\| `([a-z_:][a-z0-9_:]*)` \|", line)
        if m:
            names.add(m.group(1))
    return names


def selectors(expr) -> set[str]:
    """The metric names an expression selects, walking the parsed tree."""
    found = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        name = type(node).__name__
        if name == "VectorSelector":
            if node.name:
                found.add(node.name)
            continue
        if name == "MatrixSelector":
            stack.append(node.vector_selector)
            continue
        for attr in ("lhs", "rhs", "expr", "param", "args"):
            child = getattr(node, attr, None)
            if child is None:
                continue
            if isinstance(child, (list, tuple)):
                stack.extend(child)
            else:
                stack.append(child)
    return found


def base_name(metric: str, documented: set[str]) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        if metric.endswith(suffix) and metric[: -len(suffix)] in documented:
            return metric[: -len(suffix)]
    return metric


def check_expr(report, where: str, expr: str, documented: set[str]):
    text = expr.replace("$__rate_interval", "5m").replace("$__interval", "5m")
    try:
        parsed = promql_parser.parse(text)
    except Exception as err:  # the parser raises its own ValueError subclasses
        report.fail(where, f"PromQL does not parse: {err}")
        return
    names = selectors(parsed)
    report.check(bool(names), where, "reads no metric")
    for name in sorted(names):
        report.check(base_name(name, documented) in documented, where,
                     f"{name} is not listed in docs/metrics.md")


def check_observability(report):
    documented = documented_metrics()
    report.check(len(documented) > 10, "docs/metrics.md", "lists no metrics")

    rules = yaml.safe_load(RULES.read_text())
    alerts = set()
    groups = rules.get("groups") if isinstance(rules, dict) else None
    if report.check(isinstance(groups, list) and groups, "alerts.rules.yml", "no groups"):
        for group in groups:
            report.check(isinstance(group.get("name"), str), "alerts.rules.yml", "a group without a name")
            for rule in group.get("rules", []):
                name = rule.get("alert") or rule.get("record")
                where = f"alerts.rules.yml {name}"
                report.check(isinstance(name, str), where, "a rule without alert or record")
                unknown = set(rule) - {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}
                report.check(not unknown, where, f"unknown keys {sorted(unknown)}")
                if "for" in rule:
                    report.check(bool(re.fullmatch(r"(\d+[smhdwy])+", str(rule["for"]))), where, "bad `for`")
                expr = rule.get("expr")
                if report.check(isinstance(expr, str), where, "no expr"):
                    check_expr(report, where, expr, documented)
                if rule.get("alert"):
                    alerts.add(rule["alert"])
                    labels = rule.get("labels") or {}
                    report.check(labels.get("severity") in {"warning", "critical"}, where, "severity label")
    missing = WANTED_ALERTS - alerts
    report.check(not missing, "alerts.rules.yml", f"missing alerts {sorted(missing)}")

    dashboard = json.loads(DASHBOARD.read_text())
    panels = dashboard.get("panels", [])
    report.check(bool(panels) and bool(dashboard.get("uid")), "dashboard", "no panels or no uid")
    for panel in panels:
        targets = panel.get("targets") or []
        report.check(bool(targets), f"dashboard panel {panel.get('title')}", "no targets")
        for target in targets:
            check_expr(report, f"dashboard panel {panel.get('title')}", target.get("expr", ""), documented)
