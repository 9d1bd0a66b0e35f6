# The targets CI and developers call. `make test` runs lint first.
SHELL := /usr/bin/env bash
CARGO ?= cargo

.PHONY: deps run test lint fmt build bench bench-outbox

deps:
	./scripts/deps.sh

run:
	./scripts/run.sh

build:
	$(CARGO) build --workspace --all-targets

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

test: deps lint
	./scripts/test.sh

bench: bench-outbox

bench-outbox: deps
	$(CARGO) run --release -p navsync-action-items --example outbox_bench -- 30000
