#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for FUZZ_SECS seconds each (default 30), one
# input may take at most 5 s (-timeout=5): a panic, a hang or a sanitizer report fails
# the run. Installs cargo-fuzz (pinned) when it is missing. The machine has one stable
# toolchain; cargo-fuzz needs nightly's `-Z` flags, so RUSTC_BOOTSTRAP=1 unlocks them on
# stable when needed. Prints one summary line per target (runs, seconds, corpus size) and
# appends them to target/fuzz-runs.txt.
#
#   FUZZ_SECS=30 ./scripts/fuzz.sh                 # every target
#   FUZZ_SECS=300 ./scripts/fuzz.sh webhook_payload # one
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO_FUZZ_VERSION=0.13.2
FUZZ_SECS=${FUZZ_SECS:-30}
# cargo fuzz builds into fuzz/target by default; keep its own directory apart from the
# workspace's (different RUSTFLAGS would invalidate each other's caches).
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/fuzz/target}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

# Stable rustc refuses -Z flags unless told it is bootstrapping a compiler.
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

# Seeds: the webhook fixtures (copies of ADO's samples), the committed seeds.
mkdir -p fuzz/corpus
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  if [ -d "fuzz/seeds/$t" ]; then cp -n fuzz/seeds/"$t"/* "fuzz/corpus/$t/"; fi
done
if [ -d fuzz/corpus/webhook_payload ]; then
  cp -n services/webhook-ingress/tests/fixtures/*.json fuzz/corpus/webhook_payload/ 2>/dev/null || true
fi

# `--dev`: opt-level 1 (fuzz/Cargo.toml), no release build of every dependency on shared
# cores; address sanitizer and coverage instrumentation as usual.
mkdir -p target
log=target/fuzz-runs.txt
status=0
for t in "${targets[@]}"; do
  out=$(mktemp)
  echo "== $t: ${FUZZ_SECS}s"
  if (cd fuzz && cargo fuzz run --dev "$t" "corpus/$t" -- \
        -max_total_time="$FUZZ_SECS" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
        -dict=json.dict -print_final_stats=1) >"$out" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
    tail -60 "$out"
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out" | grep -o '[0-9]*$' | tail -1)
  secs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$out" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$out" | tail -1 | grep -o '[0-9]*')
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  line="$(date -u +%FT%TZ) $t $result runs=${runs:-?} exec_per_sec=${secs:-?} secs=$FUZZ_SECS cov=${cov:-?} corpus=$corpus"
  echo "$line" | tee -a "$log"
  rm -f "$out"
done
exit $status
