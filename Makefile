# Rempart. `make demo` sets everything up and serves the demo; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= ../shared/data
PYTEST_ARGS ?=

.PHONY: demo test check lint typecheck pytest bench install clean docs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/rempart demo --data $(DATA)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck

pytest: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: check pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m benchmarks

docs: $(STAMP)
	$(BIN)/python -m rempart.adapters.cli.docs_update

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache rempart.db
