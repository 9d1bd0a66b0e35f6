# The targets CI and developers call. `make test` runs lint first.
SHELL := /usr/bin/env bash
CARGO ?= cargo

.PHONY: dlq deps run demo test test-ui test-api lint deploy-lint fmt build bench bench-outbox bench-sync bench-ingress bench-edit-latency fuzz test-chaos

deps:
	./scripts/deps.sh

run:
	./scripts/run.sh

demo:
	./scripts/demo.sh

build:
	$(CARGO) build --workspace --all-targets

lint: deploy-lint
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Dockerfile, Compose file and every rendered k8s/ manifest (docs/deploy.md).
deploy-lint:
	./scripts/deploy-lint.sh

fmt:
	$(CARGO) fmt --all

test: deps lint
	./scripts/test.sh

# The admin page in Debian's Chromium (tests/ui); `make test` runs it too, after the
# cargo tests.
test-ui: deps
	./scripts/ui-test.sh

# Issue #10: schemathesis against the OpenAPI documents of integrations and action-items
# (no 5xx, every answer as documented); `make test` runs it too, after the UI tests.
# NAVSYNC_FUZZ_SEED=n repeats a run, NAVSYNC_FUZZ_MAX_EXAMPLES=n makes it longer.
test-api: deps
	./scripts/api-fuzz.sh

bench: bench-outbox bench-sync bench-ingress bench-edit-latency

bench-outbox: deps
	$(CARGO) run --release -p navsync-action-items --example outbox_bench -- 30000

bench-sync: deps
	$(CARGO) run --release -p navsync-ado-sync --example sync_bench -- 2000 100 8

# wrk (Debian's package) is the load generator, in its own process.
bench-ingress: deps
	command -v wrk >/dev/null || { apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; }
	$(CARGO) run --release -p navsync-webhook-ingress --example ingress_bench -- 20000

bench-edit-latency: deps
	$(CARGO) run --release -p navsync-ado-sync --example edit_latency -- 100 20 50

# Dead letters (ado-sync's internal API must be up): `make dlq ARGS="list ado-sync.action-items"`,
# `ARGS="redrive ado-sync.ado-inbound --reason database"`, `ARGS="discard <queue> --id <message id>"`.
dlq:
	$(CARGO) run -q -p navsync-ado-sync --bin navsync-dlq -- $(ARGS)

# Issue #10: every fuzz target of fuzz/ for FUZZ_SECS seconds (default 30) each.
fuzz:
	./scripts/fuzz.sh

# Issue #10: the chaos suite in its long mode (every service killed and restarted, broker
# connections closed, ADO slow / 429 / 500, RabbitMQ and PostgreSQL restarted), under load.
# `make test` runs its short mode.
test-chaos: deps
	NAVSYNC_CHAOS=full $(CARGO) test -p navsync-e2e --test chaos -- --nocapture
