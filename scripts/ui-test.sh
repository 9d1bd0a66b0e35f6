#!/usr/bin/env bash
# The admin page's browser tests (tests/ui): builds integrations and the ADO emulator,
# starts both on free ports with a fresh PostgreSQL database, runs the playwright-core
# script in Debian's Chromium, and stops everything. Exit status = the script's.
# Screenshots of every state go to target/ui-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/ui-deps.sh

say() { echo "ui-test: $*"; }
target=${CARGO_TARGET_DIR:-target}
cargo build --quiet -p navsync-integrations -p navsync-ado-emulator --bins

# The server the Rust tests use (a URL without a database name).
pg_url_base=${NAVSYNC_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
pg_url_base=${pg_url_base%/}
db="navsync_ui_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
# integrations publishes integration.changed.v1: into a vhost of its own, removed after.
vhost=$db
rabbitmqctl=${RABBITMQCTL:-rabbitmqctl}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

logs=$(mktemp -d)
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql "$pg_url_base/postgres" -qc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  "$rabbitmqctl" -q delete_vhost "$vhost" >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    for log in "$logs"/*.log; do [ -f "$log" ] && { echo "--- $log (last 30 lines)"; tail -n 30 "$log"; }; done
  fi
  rm -rf "$logs"
  exit "$status"
}
trap cleanup EXIT INT TERM

psql "$pg_url_base/postgres" -qc "create database $db" >/dev/null
"$rabbitmqctl" -q add_vhost "$vhost" >/dev/null
"$rabbitmqctl" -q set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null

start() { # name port binary [VAR=value...]
  local name=$1 port=$2 bin=$3; shift 3
  env NAVSYNC_HTTP__HOST=127.0.0.1 NAVSYNC_HTTP__PORT="$port" NAVSYNC_LOG__LEVEL=warn "$@" \
    "$target/debug/$bin" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    kill -0 "${pids[-1]}" 2>/dev/null || { say "$name exited at start"; exit 1; }
    sleep 0.25
  done
  say "$name does not answer on port $port"; exit 1
}

emulator_port=$(free_port)
start ado-emulator "$emulator_port" navsync-ado-emulator \
  NAVSYNC_EMULATOR__SEED=tests/ui/emulator-seed.json
integrations_port=$(free_port)
jwt_secret=$(secret)
service_token=$(secret)
start integrations "$integrations_port" navsync-integrations \
  NAVSYNC_DATABASE__URL="$pg_url_base/$db" \
  NAVSYNC_DATABASE__POOL_SIZE=4 \
  NAVSYNC_AMQP__URL="amqp://guest:guest@127.0.0.1:5672/$vhost" \
  NAVSYNC_ADO__BASE_URL="http://127.0.0.1:$emulator_port" \
  NAVSYNC_AUTH__JWT_SECRET="$jwt_secret" \
  NAVSYNC_AUTH__SERVICE_TOKEN="$service_token" \
  NAVSYNC_HTTP__SHUTDOWN_TIMEOUT_SECS=1

seed_pat() { python3 -c "import json,sys; p=json.load(open('tests/ui/emulator-seed.json'))['organizations'][0]['pats'][$1]; print(p if isinstance(p, str) else p['token'])"; }
mkdir -p "$target/ui-screenshots"
shots=$(cd "$target/ui-screenshots" && pwd)
say "integrations on $integrations_port, emulator on $emulator_port, database $db"
env BASE_URL="http://127.0.0.1:$integrations_port" EMULATOR_URL="http://127.0.0.1:$emulator_port" \
  JWT_SECRET="$jwt_secret" SERVICE_TOKEN="$service_token" \
  ORGANIZATION=p2anav-ui GOOD_PAT="$(seed_pat 0)" SCOPELESS_PAT="$(seed_pat 1)" \
  NOHOOKS_PAT="$(seed_pat 2)" \
  SCREENSHOTS="$shots" \
  node tests/ui/admin-page.test.mjs
