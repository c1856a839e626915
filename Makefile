# make test: create .venv, install everything (one pip call, torch pinned to the CPU build), run the tests.
# make run:  create .venv if needed, bring indexes/ up to date with corpus/, start the HTTP API.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# make lint: ruff (pyflakes, bugbear, import order, pyupgrade) and mypy with the pydantic plugin; .ci/run runs it first
.PHONY: install lint test test-slow run ingest eval smoke beir clean bench eval-library library-scale

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

# The browser tests (tests/test_web_ui.py) need Debian's chromium and chromium-driver; without them they are
# skipped, and this says so before and after the run so nobody mistakes a skip for a pass.
BROWSER_NOTE = test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || echo "*** NOTE: browser tests SKIPPED: \
/usr/bin/chromium or /usr/bin/chromedriver missing (apt-get install chromium chromium-driver; .ci/run does it) ***"

lint: install
	$(BIN)/ruff check assistant bots tests benchmarks evals $(wildcard docs)
	$(BIN)/mypy assistant bots

test: install
	@$(BROWSER_NOTE)
	$(BIN)/python -m pytest -q -m "not slow" tests
	@$(BROWSER_NOTE)

# the tests marked slow (several seconds each: processes, servers, kill -9 runs); CI runs them after make test
test-slow: install
	$(BIN)/python -m pytest -q -m slow tests

ingest: install
	$(BIN)/assistant ingest

run: install
	$(BIN)/assistant ingest
	$(BIN)/assistant serve

# Evaluation (evals/README.md). smoke: the CI gate's question set and thresholds (evals/gate.yaml);
# eval: every question set, every main configuration side by side; beir: SciFact (needs ../shared/beir).
smoke: ingest
	$(BIN)/assistant eval evals/questions/smoke.yaml --gate evals/gate.yaml

# every set about corpus/ (the generated library has its own set, evals/library/questions.yaml: make eval-library)
CORPUS_QUESTIONS := $(wildcard evals/questions/*.yaml)
eval: ingest
	$(BIN)/assistant eval $(CORPUS_QUESTIONS) --compare hybrid,dense,bm25,naive

beir: install
	$(BIN)/assistant eval-beir ../shared/beir/scifact --compare dense,bm25,hybrid --split test

# eval-library: the fictional realistic library (issue 12; evals/README.md): generate it into a git-ignored
# folder, ingest it into its own index, run its question set and list the ratings `assistant ratings` finds.
LIBRARY_CORPUS ?= indexes/library-corpus
LIBRARY_INDEX ?= indexes/library-index
eval-library: install
	rm -rf $(LIBRARY_CORPUS)
	$(BIN)/python -m evals.library.generate $(LIBRARY_CORPUS)
	ASSISTANT_CORPUS_DIR=$(LIBRARY_CORPUS) ASSISTANT_INDEX_DIR=$(LIBRARY_INDEX) $(BIN)/assistant ingest
	ASSISTANT_CORPUS_DIR=$(LIBRARY_CORPUS) ASSISTANT_INDEX_DIR=$(LIBRARY_INDEX) $(BIN)/assistant eval evals/library/questions.yaml --include-restricted
	ASSISTANT_CORPUS_DIR=$(LIBRARY_CORPUS) ASSISTANT_INDEX_DIR=$(LIBRARY_INDEX) $(BIN)/assistant ratings --json > $(LIBRARY_INDEX)-ratings.json
	$(BIN)/python -m evals.library.score_ratings $(LIBRARY_CORPUS)/truth.json $(LIBRARY_INDEX)-ratings.json

# library-scale: the same templates at benchmark size (300 reports, about 4,000 pages)
library-scale: install
	rm -rf indexes/library-scale-corpus
	$(BIN)/python -m evals.library.generate indexes/library-scale-corpus --scale 300 --seed 1

# clean: remove what ingest rebuilds; indexes/state (Slack feedback, locks) is user data and stays
clean:
	if [ -d indexes ]; then find indexes -mindepth 1 -maxdepth 1 ! -name state -exec rm -rf {} +; fi
	rm -rf .pytest_cache

# make bench: the performance benchmarks of issue 6 (benchmarks/README.md), ~45 min on 2 idle cores
bench: install
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python -m benchmarks.scale_corpus 1000 10000 100000
	$(BIN)/python -m benchmarks.bench_ingest --sizes 1000 10000
	$(BIN)/python -m benchmarks.build_index 100000
	$(BIN)/python -m benchmarks.bench_query --sizes 1000 10000 100000
	$(BIN)/python -m benchmarks.bench_http --sizes 1000 10000 100000
