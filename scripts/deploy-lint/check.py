#!/usr/bin/env python3
"""The checks of `make deploy-lint`, run by scripts/deploy-lint.sh inside its venv.

1. yamllint over k8s/ and deploy/ (deploy/yamllint.yaml).
2. hadolint over deploy/Dockerfile (deploy/hadolint.yaml), then our own Dockerfile rules:
   one final stage per service with its port, a HEALTHCHECK, a numeric non-root USER,
   pinned base images, no ADD.
3. dclint over deploy/docker-compose.yml (the Compose specification's JSON Schema, then
   deploy/dclintrc.yaml), then our own wiring rules.
4. `kubectl kustomize` renders k8s/base and each overlay; every rendered object is
   validated against Kubernetes' JSON Schemas (kubernetes-validate, strict: unknown fields
   fail) for the oldest and newest Kubernetes versions we support, and KEDA's custom
   resources against scripts/deploy-lint/keda.schema.json. An object of any other kind
   fails: nothing is skipped silently.
5. Our own rules over the rendered objects (probes, securityContext, resources, secrets by
   reference only, NetworkPolicies, autoscaling, PDBs, Ingress, production without the
   emulator, NAVSYNC_* names that the services know).
6. deploy/observability/: the alert rules and the Grafana dashboard parse, and every metric
   they read is documented in docs/metrics.md (observability.py).

Nothing here needs a cluster or a Docker engine. Exit status 1 on any failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

from observability import check_observability

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RENDER_DIR = ROOT / "target" / "deploy-lint" / "rendered"

# The oldest Kubernetes we support (preStop `sleep` is on by default from 1.30) and the
# newest whose schemas kubernetes-validate ships.
K8S_VERSIONS = ("1.30.0", "1.37.0")

RENDERS = {
    "base": ROOT / "k8s" / "base",
    "dev": ROOT / "k8s" / "overlays" / "dev",
    "production": ROOT / "k8s" / "overlays" / "production",
}

SECRET_VARS = {
    "NAVSYNC_DATABASE__URL",
    "NAVSYNC_AMQP__URL",
    "NAVSYNC_AUTH__JWT_SECRET",
    "NAVSYNC_AUTH__SERVICE_TOKEN",
    "NAVSYNC_CRYPTO__KEY",
    "NAVSYNC_CRYPTO__PREVIOUS_KEYS",
}


class Service:
    def __init__(self, name, port, *, secrets, postgres, internet, calls_integrations, http_api):
        self.name = name
        self.app = f"navsync-{name}"
        self.port = port
        self.secrets = set(secrets)
        self.postgres = postgres
        self.internet = internet
        self.calls_integrations = calls_integrations
        self.http_api = http_api


# Who needs what (SPEC §2, §3; the secrets each binary's `Needs` asks for).
SERVICES = [
    Service("integrations", 8081, postgres=True, internet=True, calls_integrations=False, http_api=True,
            secrets=["NAVSYNC_DATABASE__URL", "NAVSYNC_AMQP__URL", "NAVSYNC_AUTH__JWT_SECRET",
                     "NAVSYNC_AUTH__SERVICE_TOKEN", "NAVSYNC_CRYPTO__KEY", "NAVSYNC_CRYPTO__PREVIOUS_KEYS"]),
    Service("action-items", 8082, postgres=True, internet=False, calls_integrations=False, http_api=True,
            secrets=["NAVSYNC_DATABASE__URL", "NAVSYNC_AMQP__URL", "NAVSYNC_AUTH__JWT_SECRET"]),
    Service("webhook-ingress", 8083, postgres=False, internet=False, calls_integrations=True, http_api=True,
            secrets=["NAVSYNC_AMQP__URL", "NAVSYNC_AUTH__SERVICE_TOKEN"]),
    Service("ado-sync", 8084, postgres=True, internet=True, calls_integrations=True, http_api=False,
            secrets=["NAVSYNC_DATABASE__URL", "NAVSYNC_AMQP__URL", "NAVSYNC_AUTH__SERVICE_TOKEN"]),
]
BY_APP = {s.app: s for s in SERVICES}
EMULATOR = Service("ado-emulator", 8090, postgres=False, internet=False, calls_integrations=False,
                   http_api=False, secrets=[])
IMAGE_TARGETS = {s.name: s.port for s in SERVICES + [EMULATOR]}


class Report:
    def __init__(self):
        self.failures: list[str] = []
        self.checks = 0

    def check(self, ok: bool, where: str, message: str) -> bool:
        self.checks += 1
        if not ok:
            self.failures.append(f"{where}: {message}")
        return ok

    def fail(self, where: str, message: str):
        self.check(False, where, message)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def run_tool(report: Report, name: str, argv: list[str]):
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    output = (result.stdout + result.stderr).strip()
    if not report.check(result.returncode == 0, name, f"failed (exit {result.returncode})"):
        print(output, file=sys.stderr)


# ---------------------------------------------------------------- NAVSYNC_* names


def known_navsync_names() -> set[str]:
    """The NAVSYNC_* names the services read: the keys of the shared settings' defaults,
    the literal names in the Rust sources, and the names the READMEs document."""
    names = {"NAVSYNC_CONFIG", "NAVSYNC_ENV"}
    settings = (ROOT / "crates" / "platform" / "src" / "settings.rs").read_text()
    start = settings.find("fn defaults(")
    if start >= 0:
        body = settings[start:settings.find("\n}\n", start)]
        for key in re.findall(r'\(\s*"([a-z_]+(?:\.[a-z_]+)*)"\s*,', body):
            names.add("NAVSYNC_" + key.upper().replace(".", "__"))
    sources = list(ROOT.glob("crates/*/src/**/*.rs")) + list(ROOT.glob("services/*/src/**/*.rs"))
    docs = [ROOT / "README.md"] + list(ROOT.glob("services/*/README.md"))
    for path in sources + docs:
        names.update(re.findall(r"\bNAVSYNC_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(errors="replace")))
    return names


def check_env_names(report: Report, where: str, names, known: set[str]):
    for name in names:
        if name.startswith("NAVSYNC_"):
            report.check(name in known, where,
                         f"{name} is not a setting the services know (crates/platform/src/settings.rs, README)")


# ---------------------------------------------------------------- Dockerfile


def parse_dockerfile(text: str):
    """Stages as dicts: name, base, instructions [(KEYWORD, args)]."""
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        lines.append(current)
        current = ""
    stages = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            m = re.match(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$", args.strip(), re.I)
            stages.append({"base": m.group(1), "name": (m.group(2) or "").lower(), "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((keyword, args.strip()))
    return stages


def check_dockerfile(report: Report, path: Path):
    where = rel(path)
    stages = parse_dockerfile(path.read_text())
    by_name = {s["name"]: s for s in stages if s["name"]}

    def lineage(stage):
        chain = [stage]
        while chain[-1]["base"].lower() in by_name:
            chain.append(by_name[chain[-1]["base"].lower()])
        return chain

    for stage in stages:
        base = stage["base"]
        if base.lower() in by_name or base == "scratch":
            continue
        image, _, tag = base.partition("@")[0].rpartition(":") if ":" in base.split("/")[-1] else (base, "", "")
        report.check(bool(tag) and tag != "latest", where,
                     f"stage {stage['name'] or '?'}: base image {base} must carry an explicit tag, not latest")
        if image.endswith("rust") or "/rust" in image:
            report.check(re.match(r"^\d+\.\d+\.\d+-", tag or "") is not None, where,
                         f"the Rust builder {base} must pin the toolchain to a patch version")
        for keyword, args in stage["instructions"]:
            if keyword == "ADD":
                report.fail(where, f"stage {stage['name']}: ADD {args}: use COPY (and never fetch URLs at build time)")

    for target, port in IMAGE_TARGETS.items():
        stage = by_name.get(target)
        if not report.check(stage is not None, where, f"no final stage `{target}` (docker build --target {target})"):
            continue
        own = stage["instructions"]
        inherited = [i for s in reversed(lineage(stage)) for i in s["instructions"]]
        report.check(any(k == "EXPOSE" and args.split()[0] == str(port) for k, args in own), where,
                     f"stage {target}: EXPOSE {port} missing")
        report.check(any(k == "HEALTHCHECK" and "NONE" not in args.upper() for k, args in inherited), where,
                     f"stage {target}: no HEALTHCHECK")
        users = [args for k, args in inherited if k == "USER"]
        user = users[-1].split(":")[0] if users else "0"
        report.check(user.isdigit() and int(user) != 0, where,
                     f"stage {target}: the final USER must be a numeric non-root uid "
                     f"(Kubernetes' runAsNonRoot can only verify a number), found {user!r}")
        entry = [args for k, args in own if k == "ENTRYPOINT"]
        report.check(bool(entry) and f"navsync-{target}" in entry[-1], where,
                     f"stage {target}: ENTRYPOINT must start navsync-{target}")
        env = " ".join(args for k, args in inherited if k == "ENV")
        report.check(f"NAVSYNC_HTTP__PORT={port}" in env, where, f"stage {target}: ENV NAVSYNC_HTTP__PORT={port} missing")
        report.check("NAVSYNC_HTTP__HOST=0.0.0.0" in env, where,
                     f"stage {target}: the service must listen on 0.0.0.0 inside the container")

    dockerignore = ROOT / ".dockerignore"
    if report.check(dockerignore.exists(), ".dockerignore", "missing"):
        patterns = {line.strip() for line in dockerignore.read_text().splitlines()}
        for must in ("target", ".git"):
            report.check(must in patterns, ".dockerignore", f"{must} must be excluded from the build context")


# ---------------------------------------------------------------- Compose


def check_compose(report: Report, path: Path, known: set[str]):
    where = rel(path)
    compose = yaml.safe_load(path.read_text())
    services = compose.get("services", {})
    stages = {s["name"] for s in parse_dockerfile((ROOT / "deploy" / "Dockerfile").read_text())}
    for name in ("postgres", "rabbitmq"):
        report.check(name in services, where, f"service {name} missing")
    report.check(services.get("postgres", {}).get("image", "").startswith("postgres:15"), where,
                 "postgres must be postgres:15")
    report.check(services.get("rabbitmq", {}).get("image", "").endswith("-management"), where,
                 "rabbitmq must be an image with the management plugin")
    for name, svc in services.items():
        report.check("healthcheck" in svc, where, f"service {name}: no healthcheck")
        for port in svc.get("ports", []):
            report.check(str(port).startswith("127.0.0.1:"), where,
                         f"service {name}: port {port} must be published on 127.0.0.1 only")
        for dep, cond in (svc.get("depends_on") or {}).items():
            report.check(isinstance(cond, dict) and cond.get("condition") == "service_healthy", where,
                         f"service {name}: depends_on {dep} must wait for condition: service_healthy")
            report.check(dep in services and "healthcheck" in services[dep], where,
                         f"service {name}: depends on {dep}, which has no healthcheck")
    for target, port in IMAGE_TARGETS.items():
        svc = services.get(target)
        if not report.check(svc is not None, where, f"service {target} missing"):
            continue
        build = svc.get("build") or {}
        report.check(build.get("dockerfile") == "deploy/Dockerfile" and build.get("target") in stages, where,
                     f"service {target}: must build deploy/Dockerfile with one of its targets")
        report.check(build.get("target") == target, where, f"service {target}: builds target {build.get('target')}")
        env = svc.get("environment") or {}
        check_env_names(report, f"{where} service {target}", env.keys(), known)
        report.check(str(env.get("NAVSYNC_HTTP__PORT")) == str(port), where,
                     f"service {target}: NAVSYNC_HTTP__PORT must be {port}")
        report.check(env.get("NAVSYNC_ENV") == "development", where,
                     f"service {target}: compose is development only (NAVSYNC_ENV=development)")
        report.check(svc.get("read_only") is True and "ALL" in (svc.get("cap_drop") or []), where,
                     f"service {target}: read_only and cap_drop ALL expected")
        if target == "ado-emulator":
            continue
        report.check(str(env.get("NAVSYNC_ADO__BASE_URL", "")).startswith("http://ado-emulator:"), where,
                     f"service {target}: NAVSYNC_ADO__BASE_URL must point at the emulator")
    for s in SERVICES:
        deps = set((services.get(s.name, {}).get("depends_on") or {}).keys())
        needed = {"rabbitmq"} | ({"postgres"} if s.postgres else set()) | (
            {"integrations"} if s.calls_integrations else set()) | ({"ado-emulator"} if s.internet else set())
        report.check(needed <= deps, where, f"service {s.name}: must depend on {sorted(needed - deps)}")


# ---------------------------------------------------------------- Kubernetes


def render(report: Report, name: str, path: Path, kubectl: str):
    result = subprocess.run([kubectl, "kustomize", str(path)], cwd=ROOT, capture_output=True, text=True)
    if not report.check(result.returncode == 0, f"kustomize {rel(path)}", result.stderr.strip()):
        return None
    RENDER_DIR.mkdir(parents=True, exist_ok=True)
    (RENDER_DIR / f"{name}.yaml").write_text(result.stdout)
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def schema_validate(report: Report, where: str, docs, keda_schemas):
    for doc in docs:
        kind, api = doc.get("kind"), doc.get("apiVersion", "")
        label = f"{where}: {kind}/{doc.get('metadata', {}).get('name')}"
        if api.startswith("keda.sh/"):
            schema = keda_schemas.get(kind)
            if not report.check(schema is not None, label, f"no schema for KEDA kind {kind} (keda.schema.json)"):
                continue
            schema = dict(schema, **{"$defs": keda_schemas["$defs"]})
            errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
            messages = dict.fromkeys(f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors)
            report.check(not errors, label, "; ".join(list(messages)[:5]))
            continue
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
                report.check(True, label, "")
            except kubernetes_validate.ValidationError as e:
                path = ".".join(str(p) for p in e.path)
                report.fail(label, f"does not validate against Kubernetes {e.version}: {path}: {e.message}")
            except kubernetes_validate.SchemaNotFoundError as e:
                report.fail(label, f"{e.message}: neither a Kubernetes kind nor a CRD with a schema here")


def index(docs):
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def selects(selector: dict, labels: dict) -> bool:
    """Does a label selector (matchLabels / matchExpressions) select these labels?"""
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def container_env(container):
    return {e["name"]: e for e in container.get("env", [])}


def check_objects(report: Report, env_name: str, docs, known: set[str], queue_names: set[str], deploy_doc: str):
    where = f"render {env_name}"
    objs = index(docs)
    deployments = [d for d in docs if d["kind"] == "Deployment"]
    navsync = [d for d in deployments if d["metadata"]["name"] in BY_APP]
    config = next((d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("navsync-config")), None)
    if not report.check(config is not None, where, "no navsync-config ConfigMap"):
        return
    data = config.get("data", {})
    check_env_names(report, f"{where} ConfigMap", data.keys(), known)
    for var in SECRET_VARS:
        report.check(var not in data, where, f"{var} is a secret: it must come from a Secret, not the ConfigMap")
    shutdown = int(data.get("NAVSYNC_HTTP__SHUTDOWN_TIMEOUT_SECS", "20"))
    report.check({d["metadata"]["name"] for d in navsync} == set(BY_APP), where,
                 f"expected a Deployment for each of {sorted(BY_APP)}")

    secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
    configmaps = {d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"}
    all_labels = {}
    for dep in deployments:
        name = dep["metadata"]["name"]
        tmpl = dep["spec"]["template"]
        labels = tmpl["metadata"].get("labels", {})
        all_labels[name] = labels
        pod = tmpl["spec"]
        dwhere = f"{where} Deployment/{name}"
        report.check(selects(dep["spec"]["selector"], labels), dwhere, "selector does not select its own pods")
        for c in pod.get("containers", []):
            image = c.get("image", "")
            tag = image.split("/")[-1].partition(":")[2]
            report.check(bool(tag) and tag != "latest", dwhere, f"image {image} needs an explicit tag (not latest)")
            for ref in c.get("envFrom", []):
                if "configMapRef" in ref:
                    report.check(ref["configMapRef"]["name"] in configmaps, dwhere,
                                 f"envFrom ConfigMap {ref['configMapRef']['name']} is not in the render")
                if "secretRef" in ref:
                    report.fail(dwhere, "envFrom secretRef: reference each secret key by name (secretKeyRef)")
            for var, e in container_env(c).items():
                skr = (e.get("valueFrom") or {}).get("secretKeyRef")
                if var in SECRET_VARS:
                    report.check(skr is not None, dwhere, f"{var} must come from a secretKeyRef, never a value")
                if skr is None:
                    continue
                if env_name == "production":
                    report.check(documented_secret(deploy_doc, skr["name"], skr["key"]), dwhere,
                                 f"secret {skr['name']} key {skr['key']}: docs/deploy.md has no "
                                 f"`kubectl create secret generic {skr['name']} ... --from-literal={skr['key']}=`")
                elif not skr.get("optional"):
                    sec = secrets.get(skr["name"])
                    report.check(sec is not None and skr["key"] in (sec.get("data") or {}), dwhere,
                                 f"secret {skr['name']} key {skr['key']} is not in the {env_name} render")
            check_env_names(report, dwhere, container_env(c).keys(), known)

        app = BY_APP.get(name)
        if app is None:
            continue
        # Only navsync's own services from here on.
        (c,) = pod["containers"]
        env = container_env(c)
        report.check(env.get("NAVSYNC_HTTP__PORT", {}).get("value") == str(app.port), dwhere,
                     f"NAVSYNC_HTTP__PORT must be {app.port}")
        report.check([p["containerPort"] for p in c.get("ports", [])] == [app.port]
                     and c["ports"][0].get("name") == "http", dwhere, f"one container port `http` = {app.port}")
        report.check(set(env) & SECRET_VARS == app.secrets, dwhere,
                     f"secrets {sorted(set(env) & SECRET_VARS)}; this service needs exactly {sorted(app.secrets)}")
        for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            p = c.get(probe) or {}
            report.check((p.get("httpGet") or {}).get("path") == path, dwhere, f"{probe} must GET {path}")
        res = c.get("resources") or {}
        for part, keys in (("requests", ("cpu", "memory")), ("limits", ("cpu", "memory"))):
            for key in keys:
                report.check(key in (res.get(part) or {}), dwhere, f"resources.{part}.{key} missing")
        psc, csc = pod.get("securityContext") or {}, c.get("securityContext") or {}
        report.check(psc.get("runAsNonRoot") is True and isinstance(psc.get("runAsUser"), int)
                     and psc.get("runAsUser") != 0, dwhere, "pod must run as a numeric non-root user")
        report.check((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", dwhere,
                     "seccompProfile RuntimeDefault missing")
        report.check(csc.get("allowPrivilegeEscalation") is False, dwhere, "allowPrivilegeEscalation must be false")
        report.check(csc.get("readOnlyRootFilesystem") is True, dwhere, "readOnlyRootFilesystem must be true")
        report.check((csc.get("capabilities") or {}).get("drop") == ["ALL"], dwhere, "capabilities must drop ALL")
        report.check(pod.get("automountServiceAccountToken") is False, dwhere,
                     "automountServiceAccountToken must be false (no service needs the API)")
        report.check(bool(pod.get("topologySpreadConstraints")), dwhere, "topologySpreadConstraints missing")
        pre = ((c.get("lifecycle") or {}).get("preStop") or {}).get("sleep", {}).get("seconds", 0)
        report.check(pod.get("terminationGracePeriodSeconds", 30) > shutdown + pre, dwhere,
                     f"terminationGracePeriodSeconds must exceed the HTTP shutdown timeout ({shutdown}s) "
                     f"plus the preStop pause ({pre}s)")
        report.check(labels.get("navsync.io/postgres-client") == ("true" if app.postgres else None), dwhere,
                     f"label navsync.io/postgres-client must be {'set' if app.postgres else 'absent'}")
        report.check(labels.get("navsync.io/rabbitmq-client") == "true", dwhere,
                     "label navsync.io/rabbitmq-client must be set")
        report.check(labels.get("navsync.io/internet-egress") == ("true" if app.internet else None), dwhere,
                     f"label navsync.io/internet-egress must be {'set' if app.internet else 'absent'}"
                     " (only integrations and ado-sync reach the internet)")

        # Service, PDB, autoscaling.
        svcs = [d for d in docs if d["kind"] == "Service" and selects({"matchLabels": d["spec"].get("selector", {})}, labels)]
        report.check(len(svcs) == 1 and any(p["port"] == app.port for p in svcs[0]["spec"]["ports"]), dwhere,
                     f"needs exactly one Service on port {app.port}")
        pdbs = [d for d in docs if d["kind"] == "PodDisruptionBudget" and selects(d["spec"]["selector"], labels)]
        if report.check(len(pdbs) == 1, dwhere, "needs exactly one PodDisruptionBudget") and env_name == "production":
            report.check(pdbs[0]["spec"].get("minAvailable") == 2, dwhere, "production PDB must keep minAvailable 2")
        hpas = [d for d in docs if d["kind"] == "HorizontalPodAutoscaler" and d["spec"]["scaleTargetRef"]["name"] == name]
        sos = [d for d in docs if d["kind"] == "ScaledObject" and d["spec"]["scaleTargetRef"]["name"] == name]
        report.check(len(hpas) + len(sos) <= 1, dwhere, "an HPA and a ScaledObject on one Deployment fight each other")
        if env_name == "dev":
            report.check(dep["spec"].get("replicas") == 1 and not hpas and not sos, dwhere,
                         "dev runs one replica without autoscalers")
        else:
            report.check("replicas" not in dep["spec"], dwhere,
                         "no spec.replicas: the autoscaler owns the count (apply would reset it)")
            if app.name in ("integrations", "webhook-ingress"):
                report.check(len(hpas) == 1, dwhere, "HTTP service needs a HorizontalPodAutoscaler")
            else:
                if report.check(len(sos) == 1, dwhere, "consumer needs a KEDA ScaledObject"):
                    queues = {t["metadata"].get("queueName") for t in sos[0]["spec"]["triggers"] if t["type"] == "rabbitmq"}
                    expected = {q for q in queue_names if q.startswith(app.name + ".")}
                    report.check(queues == expected, dwhere,
                                 f"ScaledObject watches {sorted(q for q in queues if q)}; the service consumes {sorted(expected)}")
            minimum = (hpas[0]["spec"].get("minReplicas") if hpas else sos[0]["spec"].get("minReplicaCount") if sos else 0)
            want = 3 if env_name == "production" else 2
            report.check((minimum or 0) >= want, dwhere, f"autoscaler minimum {minimum} < {want}")

    for so in (d for d in docs if d["kind"] == "ScaledObject"):
        for t in so["spec"]["triggers"]:
            ref = t.get("authenticationRef")
            if ref:
                report.check(("TriggerAuthentication", ref["name"]) in objs, f"{where} ScaledObject/{so['metadata']['name']}",
                             f"TriggerAuthentication {ref['name']} not in the render")
            if t["type"] == "rabbitmq":
                report.check(t["metadata"]["queueName"] in queue_names, f"{where} ScaledObject/{so['metadata']['name']}",
                             f"queue {t['metadata']['queueName']} is not in crates/contracts/src/queues.rs")
    for auth in (d for d in docs if d["kind"] == "TriggerAuthentication"):
        for ref in auth["spec"].get("secretTargetRef", []):
            awhere = f"{where} TriggerAuthentication/{auth['metadata']['name']}"
            if env_name == "production":
                report.check(documented_secret(deploy_doc, ref["name"], ref["key"]), awhere,
                             f"secret {ref['name']} key {ref['key']} is not created in docs/deploy.md")
            else:
                report.check(ref["key"] in (secrets.get(ref["name"], {}).get("data") or {}), awhere,
                             f"secret {ref['name']} key {ref['key']} is not in the {env_name} render")
    for hpa in (d for d in docs if d["kind"] == "HorizontalPodAutoscaler"):
        report.check(("Deployment", hpa["spec"]["scaleTargetRef"]["name"]) in objs, where,
                     f"HPA {hpa['metadata']['name']} targets a missing Deployment")

    # Ingress: webhook-ingress only, /hooks/ado/, TLS outside dev.
    ingresses = [d for d in docs if d["kind"] == "Ingress"]
    report.check(len(ingresses) == 1, where, "exactly one Ingress (webhook-ingress)")
    for ing in ingresses:
        backends = [(p["path"], p["backend"]["service"]["name"]) for r in ing["spec"]["rules"] for p in r["http"]["paths"]]
        report.check(backends == [("/hooks/ado/", "navsync-webhook-ingress")], where,
                     f"the Ingress may route /hooks/ado/ to navsync-webhook-ingress only, found {backends}")
        if env_name != "dev":
            tls = ing["spec"].get("tls") or []
            report.check(bool(tls), where, "the Ingress needs TLS")
            for entry in tls:
                report.check(env_name != "production" or entry.get("secretName", "") in deploy_doc, where,
                             f"TLS secret {entry.get('secretName')} is not explained in docs/deploy.md")

    # NetworkPolicies.
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    report.check(any(p["spec"]["podSelector"] == {} and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
                     and not p["spec"].get("ingress") and not p["spec"].get("egress") for p in policies),
                 where, "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)")
    report.check(any(p["spec"]["podSelector"] == {} and any(port.get("port") == 53 for rule in p["spec"].get("egress", [])
                     for port in rule.get("ports", [])) for p in policies), where, "DNS egress not allowed for every pod")
    for p in policies:
        pname = f"{where} NetworkPolicy/{p['metadata']['name']}"
        for rule in p["spec"].get("egress", []):
            ports = {port.get("port") for port in rule.get("ports", [])}
            public = any((peer.get("ipBlock") or {}).get("cidr") in ("0.0.0.0/0", "::/0") for peer in rule.get("to", []))
            report.check(bool(rule.get("to") and rule.get("ports")), pname, "an egress rule without peers or ports allows everything")
            if public:
                report.check(ports == {443}, pname, "the internet is reachable on 443 only")
            # Egress to the internet, PostgreSQL and RabbitMQ only from the pods that need it.
            selected = [n for n, labels in all_labels.items() if selects(p["spec"]["podSelector"], labels)]
            if public:
                bad = [n for n in selected if not (BY_APP.get(n) and BY_APP[n].internet)]
                report.check(not bad, pname, f"internet egress reaches {bad}: only integrations and ado-sync may")
            if ports & {5432}:
                bad = [n for n in selected if not (BY_APP.get(n) and BY_APP[n].postgres)]
                report.check(not bad, pname, f"PostgreSQL egress reaches {bad}")
            if ports & {5672, 5671}:
                bad = [n for n in selected if n not in BY_APP]
                report.check(not bad, pname, f"RabbitMQ egress reaches {bad}")
        for rule in p["spec"].get("ingress", []):
            report.check(bool(rule.get("from") and rule.get("ports")), pname, "an ingress rule without peers or ports allows everything")
            from_controller = any((peer.get("namespaceSelector") or {}).get("matchLabels", {}).get(
                "kubernetes.io/metadata.name") == "ingress-nginx" for peer in rule.get("from", []))
            if from_controller:
                selected = [n for n, labels in all_labels.items() if selects(p["spec"]["podSelector"], labels)]
                report.check(selected == ["navsync-webhook-ingress"], pname,
                             f"the ingress controller may reach webhook-ingress only, not {selected}")

    if env_name == "production":
        report.check(not secrets, where, f"Secrets with values in the production render: {sorted(secrets)}")
        report.check(not any("emulator" in d["metadata"]["name"] for d in docs), where,
                     "the ADO emulator must never be part of production")
        report.check(data.get("NAVSYNC_ENV") == "production", where, "NAVSYNC_ENV must be production")
        for key in ("NAVSYNC_ADO__BASE_URL", "NAVSYNC_PUBLIC__WEBHOOK_BASE_URL", "NAVSYNC_PUBLIC__NAVIGATOR_URL"):
            report.check(data.get(key, "").startswith("https://"), where, f"{key} must be https:// in production")
        ns = [d for d in docs if d["kind"] == "Namespace"]
        report.check(bool(ns) and ns[0]["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted",
                     where, "the production namespace must enforce the restricted Pod Security Standard")
    if env_name == "dev":
        report.check(("Deployment", "navsync-ado-emulator") in objs, where, "dev includes the ADO emulator")
        report.check(data.get("NAVSYNC_ADO__BASE_URL", "").startswith("http://navsync-ado-emulator:"), where,
                     "dev's NAVSYNC_ADO__BASE_URL must point at the emulator")


def documented_secret(doc: str, name: str, key: str) -> bool:
    """docs/deploy.md creates secret `name` with `key`: a `kubectl create secret generic
    name` command whose (continued) lines pass --from-literal=key= or --from-file=key=."""
    pattern = rf"kubectl(?:\s+-n\s+\S+)?\s+create secret generic {re.escape(name)}(?![-\w])((?:.*\\\n)*.*)"
    for m in re.finditer(pattern, doc):
        if re.search(rf"--from-(?:literal|file)={re.escape(key)}=", m.group(1)):
            return True
    return False


def queue_names_from_contracts() -> set[str]:
    text = (ROOT / "crates" / "contracts" / "src" / "queues.rs").read_text()
    return set(re.findall(r'name:\s*"([^"]+)"', text))


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    bin_dir = Path(sys.executable).parent
    kubectl = str(bin_dir / "kubectl")
    report = Report()
    known = known_navsync_names()

    print("deploy-lint: yamllint k8s/ deploy/")
    run_tool(report, "yamllint", [str(bin_dir / "yamllint"), "--strict", "-c", "deploy/yamllint.yaml", "k8s", "deploy"])

    print("deploy-lint: hadolint deploy/Dockerfile")
    run_tool(report, "hadolint", [str(bin_dir / "hadolint"), "--no-color", "--config", "deploy/hadolint.yaml",
                                  "deploy/Dockerfile"])
    check_dockerfile(report, ROOT / "deploy" / "Dockerfile")

    print("deploy-lint: dclint deploy/docker-compose.yml")
    dclint = os.environ.get("DEPLOY_LINT_DCLINT")
    if report.check(bool(dclint), "dclint", "DEPLOY_LINT_DCLINT is not set (run scripts/deploy-lint.sh)"):
        run_tool(report, "dclint", [dclint, "--no-color", "-c", "deploy/dclintrc.yaml", "--max-warnings", "0",
                                    "deploy/docker-compose.yml"])
    check_compose(report, ROOT / "deploy" / "docker-compose.yml", known)

    keda = json.loads((HERE / "keda.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(dict(keda["ScaledObject"], **{"$defs": keda["$defs"]}))
    queues = queue_names_from_contracts()
    deploy_doc_path = ROOT / "docs" / "deploy.md"
    deploy_doc = deploy_doc_path.read_text() if deploy_doc_path.exists() else ""
    report.check(bool(deploy_doc), "docs/deploy.md", "missing")
    objects = 0
    for name, path in RENDERS.items():
        print(f"deploy-lint: kustomize {rel(path)}, validate against Kubernetes {' and '.join(K8S_VERSIONS)}")
        docs = render(report, name, path, kubectl)
        if docs is None:
            continue
        objects += len(docs)
        schema_validate(report, f"render {name}", docs, keda)
        if name != "base":
            check_objects(report, name, docs, known, queues, deploy_doc)

    print("deploy-lint: deploy/observability (alert rules, dashboard, docs/metrics.md)")
    check_observability(report)

    if report.failures:
        print(f"\ndeploy-lint: FAILED, {len(report.failures)} problem(s):", file=sys.stderr)
        for failure in report.failures:
            print(f"  - {failure}", file=sys.stderr)
        return 1
    print(f"deploy-lint: ok ({report.checks} checks; {objects} rendered objects validated; "
          f"renders in {rel(RENDER_DIR)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
