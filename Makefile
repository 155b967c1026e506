# ordercore — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
DEMO_DB ?= ordercore.db
export ORDERCORE_DATABASE_URL ?= sqlite://$(DEMO_DB)

.PHONY: prereqs run test fmt-check clippy domain-deps nextest install-nextest build bench bench-smoke

## The C compiler and system libraries the build links (libpq; on Linux also
## OpenSSL and pkg-config): says what is missing and how to install it.
prereqs:
	@bash bin/check-prereqs

## Build, migrate an embedded SQLite database, seed demo data, serve on 127.0.0.1:8080.
run: prereqs
	$(CARGO) build --release -p ordercore-server
	./target/release/ordercore migrate
	./target/release/ordercore seed --demo
	./target/release/ordercore serve

## The whole suite: formatting, lints, the domain's dependency check, every test.
test: prereqs fmt-check clippy domain-deps nextest bench-smoke

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## The domain crate must not depend on IO crates nor on the wire format (docs/architecture.md).
domain-deps:
	@tree="$$($(CARGO) tree -p ordercore-domain -e normal --prefix none)"; \
	for forbidden in serde_json diesel actix-web reqwest tokio; do \
	  if grep -qE "^$$forbidden v" <<<"$$tree"; then \
	    echo "domain-deps: ordercore-domain depends on $$forbidden"; exit 1; fi; \
	done; echo "domain-deps: ordercore-domain depends on none of serde_json, diesel, actix-web, reqwest, tokio"

## cargo-nextest when installed (one process per test); otherwise `cargo test`
## on the same targets, saying so. `make install-nextest` installs it.
nextest:
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  echo "$(CARGO) nextest run --workspace --no-fail-fast"; \
	  $(CARGO) nextest run --workspace --no-fail-fast; \
	else \
	  echo "NOTE: cargo-nextest is not installed: running the tests with cargo test instead (make install-nextest, or cargo install --locked cargo-nextest, to use it)"; \
	  echo "$(CARGO) test --workspace --no-fail-fast --lib --bins --tests"; \
	  $(CARGO) test --workspace --no-fail-fast --lib --bins --tests; \
	fi
	@if [ "$${ORDERCORE_REQUIRE_POSTGRES:-0}" != "1" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  echo "NOTE: PostgreSQL was unreachable: the PostgreSQL suite was SKIPPED (set ORDERCORE_REQUIRE_POSTGRES=1 to make that a failure)"; fi

install-nextest:
	$(CARGO) install --locked cargo-nextest

build:
	$(CARGO) build --workspace --all-targets

## The load benchmark (bench/README.md): a release build, about 8 minutes.
bench:
	bash bench/run.sh

## Every bench step for a second with the debug build, so the bench cannot rot:
## fails unless every answer had the expected slug (numbers not asserted).
## Skipped with a NOTE when PostgreSQL is unreachable, unless ORDERCORE_REQUIRE_POSTGRES=1.
## The same targets as the test build (--workspace --tests), so that after
## `make test`'s nextest run this only links: building two packages alone
## resolves their dependencies' features differently and compiles every
## one of them again.
bench-smoke:
	$(CARGO) build --workspace --bins --tests
	BENCH_SMOKE=1 bash bench/run.sh
