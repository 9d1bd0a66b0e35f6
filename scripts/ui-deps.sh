#!/usr/bin/env bash
# What the browser tests of the admin page need, installed idempotently: Debian's Chromium
# (/usr/bin/chromium) and the pinned playwright-core in tests/ui (npm ci from the lock
# file). Never `npx playwright install`: the tests drive the OS's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "ui-deps: $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -x /usr/bin/chromium ]; then
  say "Chromium present: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
else
  if ! command -v apt-get >/dev/null; then
    say "no /usr/bin/chromium and no apt-get: install Chromium yourself"; exit 1
  fi
  say "installing chromium from the OS packages"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "Node.js and npm are needed for the browser tests (not at run time)"; exit 1
fi
# npm ci only when node_modules does not match the lock file.
lock=tests/ui/package-lock.json
stamp=tests/ui/node_modules/.package-lock.json
if [ -f "$stamp" ] && [ -d tests/ui/node_modules/playwright-core ] && [ "$stamp" -nt "$lock" ]; then
  say "tests/ui/node_modules up to date"
else
  say "npm ci in tests/ui"
  (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error)
fi
