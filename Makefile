# make test: create .venv, install everything (one pip call, torch pinned to the CPU build), run the tests.
# make run:  create .venv if needed, bring indexes/ up to date with corpus/, start the HTTP API.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install test run ingest eval smoke clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

test: install
	$(BIN)/python -m pytest -q tests

ingest: install
	$(BIN)/assistant ingest

run: install
	$(BIN)/assistant ingest
	$(BIN)/assistant serve

clean:
	rm -rf indexes .pytest_cache
