#!/usr/bin/env bash
# Every test of the workspace against the real PostgreSQL and RabbitMQ that deps.sh made
# sure of. cargo-nextest (one process per test) when installed, else cargo test. Then the
# admin page's browser tests (scripts/ui-test.sh), unless NAVSYNC_SKIP_UI_TESTS=1, and the
# API fuzzing of issue #10 (scripts/api-fuzz.sh), unless NAVSYNC_SKIP_API_FUZZ=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast --failure-output final
else
  cargo test --workspace --no-fail-fast
fi
if [ "${NAVSYNC_SKIP_UI_TESTS:-0}" != 1 ]; then
  ./scripts/ui-test.sh
fi
if [ "${NAVSYNC_SKIP_API_FUZZ:-0}" != 1 ]; then
  ./scripts/api-fuzz.sh
fi
