#!/usr/bin/env bash
# `make demo`: the product's story against a running `make run`, printing each step:
# an action item becomes a work item, a person edits it in ADO and the action item
# follows (nothing goes back), the person deletes it and the action item goes too.
set -euo pipefail
cd "$(dirname "$0")/.."

api=http://127.0.0.1:8082
ado=http://127.0.0.1:8090
if ! curl -fsS "$api/healthz" >/dev/null 2>&1; then
  echo "demo: nothing answers on $api; start everything with 'make run' in another terminal first."
  exit 1
fi
token=$(target/debug/navsync-dev-token)
auth=(-H "Authorization: Bearer $token")
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
step() { printf '\n== %s\n' "$*"; }
wait_for() { # description, a function that prints "yes" when done
  for _ in $(seq 1 100); do
    if [ "$("$2" 2>/dev/null)" = "yes" ]; then return 0; fi
    sleep 0.1
  done
  echo "demo: timed out waiting for $1"; exit 1
}
item_json() { curl -fsS "$api/v1/action-items/$id" "${auth[@]}"; }
linked() { item_json | field '"yes" if d["ado"]["work_item_id"] else "no"'; }
followed() { item_json | field '"yes" if d["status"] == "done" else "no"'; }
gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$api/v1/action-items/$id" "${auth[@]}")" = 404 ] && echo yes; }

step "1. Navigator: create an action item"
item=$(curl -fsS -X POST "$api/v1/action-items" "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"title": "Prepare the sprint review", "description": "Collect the demos\nBook the room", "status": "in_progress"}')
id=$(echo "$item" | field 'd["id"]')
echo "action item $id, version $(echo "$item" | field 'd["version"]')"

step "2. ado-sync creates exactly one work item"
wait_for "the work item" linked
wi=$(curl -fsS "$api/v1/action-items/$id" "${auth[@]}" | field 'd["ado"]["work_item_id"]')
curl -fsS "$ado/_emulator/organizations/p2anav-dev/workitems/$wi" \
  | field '"work item #%s: %r, state %s, tags %r" % (d["id"], d["fields"]["System.Title"], d["fields"]["System.State"], d["fields"]["System.Tags"])'

step "3. A person edits the work item in ADO (title and state)"
curl -fsS -o /dev/null -X POST "$ado/_emulator/organizations/p2anav-dev/workitems/$wi/edit" \
  -H 'Content-Type: application/json' -d '{"fields": {"System.Title": "Sprint review, agenda agreed", "System.State": "Closed"}}'
echo "edited in ADO; the service hook calls the webhook ingress"

step "4. The action item follows; nothing is sent back"
wait_for "the action item to follow" followed
curl -fsS "$api/v1/action-items/$id" "${auth[@]}" \
  | field '"action item: %r, status %s, version %s, sync %s" % (d["title"], d["status"], d["version"], d["ado"]["sync_state"])'
rev=$(curl -fsS "$ado/_emulator/organizations/p2anav-dev/workitems/$wi" | field 'd["rev"]')
echo "work item #$wi is at revision $rev: the person's edit was the last write (no echo)"

step "5. The person deletes the work item in ADO; the action item is deleted"
curl -fsS -o /dev/null -X POST "$ado/_emulator/organizations/p2anav-dev/workitems/$wi/delete"
wait_for "the deletion" gone
echo "GET /v1/action-items/$id -> $(curl -s -o /dev/null -w '%{http_code}' "$api/v1/action-items/$id" "${auth[@]}")"
printf '\ndemo: done\n'
