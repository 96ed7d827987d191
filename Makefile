# termbase: `make run` serves the app with the seeds loaded; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint serve seed clean-db bench

$(BIN)/termbase: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/termbase
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/termbase
	$(BIN)/termbase db upgrade
	$(BIN)/termbase seed
	$(BIN)/termbase users demo
	@echo "termbase is serving at http://$(HOST):$(PORT)"
	$(BIN)/termbase run --host $(HOST) --port $(PORT)

test: $(VENV)/.test-extras
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-extras
	$(BIN)/ruff check termbase tests benchmarks migrations
	$(BIN)/ruff format --check termbase tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(VENV)/.test-extras
	$(BIN)/python -m benchmarks.run_all
