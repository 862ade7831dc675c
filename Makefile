# The habits of this project, one command each; CI runs the same ones.
#   make run     build, create and migrate the database, serve on :8000
#   make test    every test: unit, adapter (real PostgreSQL), end-to-end (real binary)
#   make lint    rustfmt, clippy (warnings as errors), unused dependencies, the crate table
#   make layers  prove domain, ports and use cases pull in no web, database or JWT crate
#   make doc     every crate's docs (its README included), warnings as errors

SHELL := /bin/bash
.DEFAULT_GOAL := help

# `make run` uses DATABASE_URL when it is set (postgres://… or sqlite://…),
# else the SQLite file data/otas.db, created on first run.
# UASAM's development default secret, so that a development UASAM's tokens work.
# Never use it in production: set JWT_SECRET to your deployment's secret.
JWT_SECRET ?= some-jwt-secret
export JWT_SECRET

CARGO ?= cargo

.PHONY: help
help:
	@echo "make run      build, create and migrate the store (SQLite under data/, or \$$DATABASE_URL), load demo data, serve on :8000"
	@echo "make test     run every test (needs PostgreSQL on 127.0.0.1:5432; starts it if it is down)"
	@echo "make test-repeat  the suite or one test binary N times, under CPU load: every failure by name (N=20 TEST=unavailable LOAD=busy|build|none)"
	@echo "make lint     cargo fmt --check, clippy -D warnings, unused dependencies (cargo-machete), ARCHITECTURE.md's crate table, each crate README's modules"
	@echo "make architecture  rewrite ARCHITECTURE.md's crate table from the crates (make lint checks it)"
	@echo "make layers   check that dependencies point inward (domain, ports, use cases pull in no web, database or JWT crate)"
	@echo "make doc      build every crate's documentation, warnings as errors"
	@echo "make bench    measure the service against PostgreSQL's own limits (writes bench/results/latest.md)"
	@echo "make soak     a bounded mixed load with stalled readers: unexpected answers, p99, RSS growth (SOAK_SECONDS)"
	@echo "make cluster        two replicas behind HAProxy over a PostgreSQL primary and its streaming standby, on loopback"
	@echo "make cluster-check  requests through HAProxy while each replica restarts: reports every failed request"
	@echo "make cluster-down   stop the cluster, wait until every process has exited, remove its files (KEEP=1 keeps them)"
	@echo "make ha        PostgreSQL under pg_auto_failover (monitor, primary, synchronous standby), two replicas following the primary, HAProxy, on loopback"
	@echo "make ha-check  load through HAProxy while the primary is killed, then cut off: every acknowledged session listed, refusal windows, failover times"
	@echo "make ha-down   stop the HA cluster, wait until every process has exited, remove its files (KEEP=1 keeps them)"
	@echo "make release  build target/release/otas-server"
	@echo "make install  build it and install it as ~/.cargo/bin/otas-server (BINDIR=… for another directory)"

.PHONY: toolchain
toolchain:
	@command -v $(CARGO) >/dev/null || { echo "cargo is missing: install Rust with rustup (https://rustup.rs)"; exit 1; }
	@command -v pg_config >/dev/null || [ -e /usr/include/postgresql/libpq-fe.h ] || { \
		echo "installing libpq-dev (PostgreSQL client library for diesel)"; \
		apt-get update -qq && apt-get install -y -qq libpq-dev; }

.PHONY: postgres
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
		echo "PostgreSQL is not answering on 127.0.0.1:5432; starting the local cluster"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start; \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }

.PHONY: release
release: toolchain
	$(CARGO) build --release --locked -p otas-server

# Puts otas-server on PATH: rustup's bin directory, which rustup's installer
# adds to PATH (BINDIR=/usr/local/bin for another place).
BINDIR ?= $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
.PHONY: install
install: release
	install -D -m 755 target/release/otas-server $(BINDIR)/otas-server
	@echo "installed $(BINDIR)/otas-server"

.PHONY: run
run: release
	./target/release/otas-server migrate --create-database
	./target/release/otas-server seed-demo
	./target/release/otas-server serve

# A test runs a PostgreSQL that speaks German: it compiles de_DE.UTF-8 from
# the locales package's sources into its own directory.
.PHONY: locale-sources
locale-sources:
	@[ -e /usr/share/i18n/locales/de_DE ] || { echo "installing locales (locale sources for a test)"; \
		apt-get update -qq && apt-get install -y -qq locales; }

.PHONY: test
test: toolchain postgres locale-sources
	$(CARGO) test --workspace --locked

# A flaky test shows itself here rather than in CI: the suite, or the test
# binary TEST, N times in a row, with the CPUs kept busy (LOAD=busy, or
# LOAD=build for a parallel cargo build, LOAD=none for an idle machine);
# prints each failure with its test's name and its panic line.
N ?= 10
TEST ?=
LOAD ?= busy
.PHONY: test-repeat
test-repeat: toolchain postgres locale-sources
	N=$(N) TEST=$(TEST) LOAD=$(LOAD) CARGO=$(CARGO) bash tests/repeat.sh

# cargo-machete finds dependencies that no code uses (installed on first use).
MACHETE_VERSION := 0.9.2
.PHONY: machete
machete: toolchain
	@command -v cargo-machete >/dev/null || { echo "installing cargo-machete $(MACHETE_VERSION) (unused dependencies, for make lint)"; \
		$(CARGO) install --locked --quiet cargo-machete --version $(MACHETE_VERSION); }

.PHONY: lint
lint: toolchain machete
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	cargo-machete
	bash docs/crate-table.sh --check

# ARCHITECTURE.md's crate table, rewritten from the crates (their Cargo.toml
# descriptions and their lines); make lint fails when it is out of date, or
# when a crate's README does not name every module of its src/lib.rs.
.PHONY: architecture
architecture:
	bash docs/crate-table.sh

.PHONY: doc
doc: toolchain
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked

# Dependencies point inward: domain and ports must not pull in the web,
# database or JWT stacks; http must not know an adapter; adapters must not
# know each other or http.
FORBIDDEN_IN_CORE := actix-web actix-cors diesel r2d2 pq-sys jsonwebtoken reqwest tokio
.PHONY: layers
layers:
	@fail=0; \
	check() { out=$$($(CARGO) tree --locked -p $$1 -e normal,build -i $$2 2>/dev/null); \
		if [ -n "$$out" ]; then echo "layer violation: $$1 depends on $$2"; echo "$$out" | head -5; fail=1; fi; }; \
	for crate in otas-domain otas-ports otas-use-cases; do for dep in $(FORBIDDEN_IN_CORE); do check $$crate $$dep; done; done; \
	for dep in otas-postgres-adapter otas-sqlite-adapter otas-auth-adapter diesel jsonwebtoken; do check otas-http $$dep; done; \
	for dep in otas-auth-adapter otas-http otas-sqlite-adapter actix-web jsonwebtoken; do check otas-postgres-adapter $$dep; done; \
	for dep in otas-auth-adapter otas-http otas-postgres-adapter actix-web jsonwebtoken; do check otas-sqlite-adapter $$dep; done; \
	for dep in otas-postgres-adapter otas-sqlite-adapter otas-http actix-web diesel; do check otas-auth-adapter $$dep; done; \
	for dep in otas-postgres-adapter otas-sqlite-adapter otas-http diesel; do check otas-store-contract $$dep; done; \
	[ $$fail = 0 ] && echo "layers: domain, ports and use cases depend on no web, database or JWT crate; adapters and http stay apart"; \
	exit $$fail

# The benchmark (≈ 10 minutes from nothing, release build included): fills its
# own database, measures the server against PostgreSQL's own limits, prints a
# table and writes bench/results/latest.md.
.PHONY: bench
bench: toolchain postgres
	@command -v wrk >/dev/null || { echo "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk; }
	@command -v pgbench >/dev/null || { echo "installing pgbench"; apt-get update -qq && apt-get install -y -qq postgresql-client; }
	bash bench/run.sh

# A bounded load run (SOAK_SECONDS, default 600): mixed requests and error
# paths, stalled readers; reports unexpected answers, p99 and RSS growth.
.PHONY: soak
soak: toolchain postgres
	@command -v wrk >/dev/null || { echo "installing wrk"; apt-get update -qq && apt-get install -y -qq wrk; }
	bash bench/soak.sh

# Scale-out on loopback: PostgreSQL primary + streaming standby, two
# otas-server replicas, HAProxy (from Debian's packages) in front.
.PHONY: haproxy
haproxy:
	@command -v haproxy >/dev/null || { echo "installing haproxy"; apt-get update -qq && apt-get install -y -qq haproxy; }

.PHONY: cluster
cluster: toolchain haproxy
	bash cluster/up.sh

.PHONY: cluster-check
cluster-check: toolchain haproxy
	bash cluster/check.sh

# The figures docs/security.md quotes: one hostile agent key's cost in time
# and memory, and the metric series invented methods add (SQLite, port 18099).
.PHONY: security-figures
security-figures: toolchain
	$(CARGO) build --locked -p otas-server
	BIN=target/debug/otas-server bash bench/security.sh

.PHONY: cluster-down
cluster-down:
	bash cluster/down.sh

# High availability on loopback: PostgreSQL under pg_auto_failover (from
# Debian's packages, for the machine's PostgreSQL major version), the
# service following the primary through a multi-host URL, HAProxy in front;
# ha-check cuts a node off with iptables.
PG_MAJOR = $$(ls /usr/lib/postgresql | sort -V | tail -1)
.PHONY: pg-auto-failover
pg-auto-failover:
	@command -v pg_autoctl >/dev/null || { echo "installing pg_auto_failover"; \
		apt-get update -qq && apt-get install -y -qq postgresql-$(PG_MAJOR)-auto-failover; }
	@command -v iptables >/dev/null || { echo "installing iptables (ha-check cuts a node off the network)"; \
		apt-get update -qq && apt-get install -y -qq iptables; }

.PHONY: ha
ha: toolchain haproxy pg-auto-failover
	bash ha/up.sh

.PHONY: ha-check
ha-check: toolchain haproxy pg-auto-failover
	bash ha/check.sh

.PHONY: ha-down
ha-down:
	bash ha/down.sh
