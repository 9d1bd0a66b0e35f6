#!/usr/bin/env bash
# `make run`: PostgreSQL and RabbitMQ up, every service built and started against the ADO
# emulator with a demo organization, then the URLs, a dev admin token and curl commands.
# Ctrl-C stops everything. Logs go to .run/<service>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname='navsync'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc "create database navsync"

echo "building (first time: a few minutes)..."
cargo build --quiet --bins

mkdir -p .run
pids=()
stopping=0
stop() {
  # Runs on Ctrl-C (or TERM) and again at exit: once is enough.
  [ "$stopping" = 1 ] && return
  stopping=1
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

export NAVSYNC_ADO__BASE_URL=${NAVSYNC_ADO__BASE_URL:-http://127.0.0.1:8090}
start() { # name binary port [VAR=value...]
  local name=$1 bin=$2 port=$3; shift 3
  env NAVSYNC_HTTP__PORT="$port" "$@" "target/debug/$bin" >".run/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "$name failed to start; its log:"; tail -n 20 ".run/$name.log"; exit 1
    fi
    sleep 0.5
  done
  echo "$name did not answer on port $port; see .run/$name.log"; exit 1
}

start ado-emulator navsync-ado-emulator 8090 NAVSYNC_EMULATOR__SEED=deploy/dev/emulator-seed.json
start integrations navsync-integrations 8081
start webhook-ingress navsync-webhook-ingress 8083
start action-items navsync-action-items 8082
start ado-sync navsync-ado-sync 8084

token=$(target/debug/navsync-dev-token)
pat=$(python3 -c 'import json;print(json.load(open("deploy/dev/emulator-seed.json"))["organizations"][0]["pats"][0])')

# The demo company's integration and, in the emulator, the service hooks that point at
# its Webhook URL with its secret — what an ADO admin would set up by hand.
json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
auth=(-H "Authorization: Bearer $token")
curl -s -o /dev/null -X POST http://127.0.0.1:8081/v1/integrations "${auth[@]}" \
  -H 'Content-Type: application/json' -d "{\"organization\": \"p2anav-dev\", \"pat\": \"$pat\"}"
integration=$(curl -s http://127.0.0.1:8081/v1/integrations "${auth[@]}" | json_field 'd["items"][0]["id"]')
secret=$(curl -s -X POST "http://127.0.0.1:8081/v1/integrations/$integration/reveal" "${auth[@]}" \
  -H 'Content-Type: application/json' -d '{"field": "webhook_secret"}' | json_field 'd["value"]')
existing=$(curl -s http://127.0.0.1:8090/_emulator/organizations/p2anav-dev/subscriptions | json_field 'len(d.get("value", d) if isinstance(d, dict) else d)')
if [ "${existing:-0}" = "0" ]; then
  for event in workitem.updated workitem.deleted workitem.restored; do
    curl -s -o /dev/null -X POST http://127.0.0.1:8090/_emulator/organizations/p2anav-dev/subscriptions \
      -H 'Content-Type: application/json' -d "{\"publisherId\": \"tfs\", \"eventType\": \"$event\",
        \"consumerId\": \"webHooks\", \"consumerActionId\": \"httpRequest\",
        \"publisherInputs\": {\"projectId\": \"Navigator Demo\"},
        \"consumerInputs\": {\"url\": \"http://127.0.0.1:8083/hooks/ado/$integration\",
          \"basicAuthUsername\": \"navsync\", \"basicAuthPassword\": \"$secret\",
          \"resourceDetailsToSend\": \"all\"}}"
  done
fi
cat <<TXT

navsync is running (logs in .run/):
  integrations   http://127.0.0.1:8081   (health: /healthz, readiness: /readyz, metrics: /metrics)
  action-items   http://127.0.0.1:8082
  webhook-ingress http://127.0.0.1:8083  (ADO service hooks: POST /hooks/ado/<integration id>)
  ado-sync       http://127.0.0.1:8084   (health and metrics only; syncs action items to the emulator)
  ado-emulator   http://127.0.0.1:8090   (organization p2anav-dev, project "Navigator Demo")

Dev admin token (company 6f1c3a52-0b7e-4c3e-9f4a-2d5e8b9c0a01, role CompanyAdmin):
  export TOKEN=$token

The admin page (Settings → Azure DevOps Integration), signed in with that token:
  http://127.0.0.1:8081/settings/azure-devops#token=$token

The demo integration $integration is added and ADO (the emulator) calls its Webhook URL
on every change of a work item. To add one yourself (answers 409 now: one per company):
  curl -s -X POST http://127.0.0.1:8081/v1/integrations -H "Authorization: Bearer \$TOKEN" \\
       -H 'Content-Type: application/json' -d '{"organization": "p2anav-dev", "pat": "$pat"}'
See it, its projects and its audit log:
  curl -s http://127.0.0.1:8081/v1/integrations -H "Authorization: Bearer \$TOKEN"
  curl -s http://127.0.0.1:8081/v1/integrations/<id>/projects -H "Authorization: Bearer \$TOKEN"
  curl -s http://127.0.0.1:8081/v1/integrations/<id>/audit -H "Authorization: Bearer \$TOKEN"
Create an action item (its event goes out through the outbox to navigator.action-items):
  curl -s -X POST http://127.0.0.1:8082/v1/action-items -H "Authorization: Bearer \$TOKEN" \\
       -H 'Content-Type: application/json' -d '{"title": "Prepare the retro", "status": "in_progress"}'
  curl -s http://127.0.0.1:8082/v1/action-items -H "Authorization: Bearer \$TOKEN"
Act as a person in ADO (the emulator):
  curl -s -X POST http://127.0.0.1:8090/_emulator/organizations/p2anav-dev/projects/Navigator%20Demo/workitems \\
       -H 'Content-Type: application/json' -d '{"type": "Task", "fields": {"System.Title": "Made by a person"}}'
A PAT ADO rejects:
  curl -s -X POST http://127.0.0.1:8081/v1/integrations -H "Authorization: Bearer \$TOKEN" \\
       -H 'Content-Type: application/json' -d '{"organization": "p2anav-dev", "pat": "wrong"}'

Ctrl-C stops everything.
TXT
wait -n "${pids[@]}" || true
# Ctrl-C also ends the wait: only say a service exited when one did.
[ "$stopping" = 1 ] || echo "a service exited; see .run/*.log"
