#!/usr/bin/env bash
# `make test-api` (and `make test`, after the UI tests, unless NAVSYNC_SKIP_API_FUZZ=1):
# issue #10's API fuzzing. schemathesis reads the OpenAPI document that integrations and
# action-items serve at /openapi.json, generates requests from it (valid and invalid) and
# checks every answer: no 5xx, and status, content type, headers and body as documented.
#
# Builds integrations, action-items and the ADO emulator, starts them on free ports with
# a database and a RabbitMQ vhost of this run (removed afterwards, also on failure), makes
# a company admin token, an integration and a few action items through the API, then runs
# schemathesis against each service. Exit status: non-zero on any failure.
#
#   NAVSYNC_FUZZ_SEED=n          the seed (default: a new one each run, printed)
#   NAVSYNC_FUZZ_MAX_EXAMPLES=n  test cases per operation and phase (default 100: about a
#                                minute for both services on 2 cores)
#
# schemathesis comes from PyPI (scripts/api-fuzz/requirements.txt) into
# target/api-fuzz-venv, installed again when the pinned versions change.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "api-fuzz: $*"; }
target=${CARGO_TARGET_DIR:-target}
venv=target/api-fuzz-venv
requirements=scripts/api-fuzz/requirements.txt
# Where the dictionaries of scripts/api-fuzz/schemathesis.toml live (relative to it).
work=target/api-fuzz
seed=${NAVSYNC_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
max_examples=${NAVSYNC_FUZZ_MAX_EXAMPLES:-100}
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance

want=$(sha256sum "$requirements" | cut -c1-16)
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$want" ]; then
  say "installing schemathesis into $venv (first run: about a minute)"
  rm -rf "$venv"
  python3 -m venv "$venv" || { say "python3 cannot make a venv (Debian: apt-get install python3-venv)"; exit 1; }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
  echo "$want" >"$venv/.requirements"
fi

cargo build --quiet -p navsync-integrations -p navsync-action-items -p navsync-ado-emulator \
  -p navsync-platform --bins

pg_url_base=${NAVSYNC_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
pg_url_base=${pg_url_base%/}
db="navsync_fuzz_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
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
  rm -rf "$logs" "$work"
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

# The emulator's organization, with a PAT made for this run only.
mkdir -p "$work"
organization=p2anav-fuzz
pat="fuzz$(secret)AZDO$(secret)"
printf '{"organizations": [{"name": "%s", "process": "Agile", "projects": ["Alpha", "Beta"], "pats": ["%s"]}]}\n' \
  "$organization" "$pat" >"$work/emulator-seed.json"
emulator_port=$(free_port)
start ado-emulator "$emulator_port" navsync-ado-emulator NAVSYNC_EMULATOR__SEED="$work/emulator-seed.json"

jwt_secret=$(secret)
service_token=$(secret)
common=(
  NAVSYNC_DATABASE__URL="$pg_url_base/$db"
  NAVSYNC_DATABASE__POOL_SIZE=4
  NAVSYNC_AMQP__URL="amqp://guest:guest@127.0.0.1:5672/$vhost"
  NAVSYNC_AUTH__JWT_SECRET="$jwt_secret"
  NAVSYNC_AUTH__SERVICE_TOKEN="$service_token"
  NAVSYNC_HTTP__SHUTDOWN_TIMEOUT_SECS=1
)
integrations_port=$(free_port)
start integrations "$integrations_port" navsync-integrations "${common[@]}" \
  NAVSYNC_ADO__BASE_URL="http://127.0.0.1:$emulator_port"
action_items_port=$(free_port)
start action-items "$action_items_port" navsync-action-items "${common[@]}"

# A company admin's token, kept in the environment of the commands that need it.
company=$(python3 -c 'import uuid; print(uuid.uuid4())')
NAVSYNC_FUZZ_JWT=$(NAVSYNC_AUTH__JWT_SECRET="$jwt_secret" "$target/debug/navsync-dev-token" "$company")
export NAVSYNC_FUZZ_JWT NAVSYNC_FUZZ_SERVICE_TOKEN="$service_token"

# What exists before the run: the company's integration and three action items.
post() { # url json → the body's id. The token goes to curl on stdin, not on its command line.
  printf 'header = "Authorization: Bearer %s"\n' "$NAVSYNC_FUZZ_JWT" |
    curl -fsS --config - -X POST "$1" -H 'Content-Type: application/json' -d "$2" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
integration=$(post "http://127.0.0.1:$integrations_port/v1/integrations" \
  "{\"organization\": \"$organization\", \"pat\": \"$pat\"}")
items=()
for title in "Prepare the retro" "Book the room" "Send the notes"; do
  items+=("$(post "http://127.0.0.1:$action_items_port/v1/action-items" "{\"title\": \"$title\"}")")
done
printf '"%s"\n' "$organization" >"$work/organizations.dict"
printf '"%s"\n' "$pat" >"$work/pats.dict"

status=0
fuzz() { # name port known-id...
  local name=$1 port=$2; shift 2
  printf '"%s"\n' "$@" >"$work/known-ids.dict"
  say "$name: schemathesis against http://127.0.0.1:$port/openapi.json (seed $seed, $max_examples examples per operation)"
  local started=$SECONDS
  "$venv/bin/schemathesis" --config-file scripts/api-fuzz/schemathesis.toml run \
    "http://127.0.0.1:$port/openapi.json" \
    --checks "$checks" \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 1 \
    --no-color \
    --report junit --report-junit-path "$target/api-fuzz-$name.xml" || status=1
  say "$name: $((SECONDS - started)) s"
  curl -fsS "http://127.0.0.1:$port/openapi.json" >"$work/$name.openapi.json"
  curl -fsS "http://127.0.0.1:$port/metrics" |
    python3 scripts/api-fuzz/answers.py "$name" "$work/$name.openapi.json"
}
fuzz integrations "$integrations_port" "$integration" "$company"
fuzz action-items "$action_items_port" "${items[@]}"

# A 500 is logged by the service too: none may have happened, whatever schemathesis saw.
if grep -h 'unexpected error' "$logs"/*.log >/dev/null 2>&1; then
  say "a service logged an unexpected error:"
  grep -h 'unexpected error' "$logs"/*.log | head -n 5
  status=1
fi
exit "$status"
