#!/usr/bin/env bash
# navsync-healthcheck [PATH]: GET http://127.0.0.1:$NAVSYNC_HTTP__PORT$PATH (default
# /healthz) and exit 0 only on HTTP 200. Bash's /dev/tcp does the request, so the runtime
# image needs no curl. Used by the images' HEALTHCHECK and by deploy/docker-compose.yml;
# Kubernetes uses its own httpGet probes instead.
set -euo pipefail
path=${1:-/healthz}
port=${NAVSYNC_HTTP__PORT:?NAVSYNC_HTTP__PORT is not set}
if ! { exec 3<>"/dev/tcp/127.0.0.1/${port}"; } 2>/dev/null; then
  echo "nothing listens on port ${port}" >&2
  exit 1
fi
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "${path}" >&3
status=
IFS= read -r -t 4 status <&3 || true
exec 3<&-
case "${status}" in
  "HTTP/1."?" 200 "*) exit 0 ;;
esac
echo "GET ${path}: ${status:-no answer}" >&2
exit 1
