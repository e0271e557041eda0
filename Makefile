# swe-team — the commands people and CI run. Everything installs what it needs on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN := .run
TEST_WORKERS ?= 2
SERIAL_TESTS := tests/test_fleet_workers.py
# ^ alone after the rest: its timings (lease 3 s, redelivery after 10 s) assume the machine is not running other tests
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint bench bench-localize bench-eval stress install services stop-services clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing swe-team and its test tools into $(VENV) (llama-cpp-python: built from source once per machine, 7-15 min, then cached)"
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,fleet]' --config-settings editable_mode=compat
	bash scripts/install-local-model.sh
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

demo: $(STAMP)
	@bash examples/run-demo.sh

services: $(STAMP)
	@bash scripts/test-services.sh start $(RUN)

stop-services:
	@bash scripts/test-services.sh stop $(RUN)

# The tests (TEST_WORKERS processes, one test file each at a time), then every benchmark in quick mode (a few iterations, small data) so that a broken one fails CI.
test: $(STAMP)
	@bash scripts/test-services.sh start $(RUN)
	@set -a; source $(RUN)/services.env; set +a; \
	  status=0; $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --ignore=$(SERIAL_TESTS) \
	    $(PYTEST_ARGS) || status=$$?; \
	  [ -n "$(PYTEST_ARGS)" ] || $(BIN)/pytest -q -p no:cacheprovider $(SERIAL_TESTS) || status=$$(( status ? status : 1 )); \
	  $(BIN)/python -m benchmarks --quick || status=$$(( status ? status : 1 )); \
	  bash scripts/test-services.sh stop $(RUN); exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	@bash scripts/test-services.sh start $(RUN)
	@set -a; source $(RUN)/services.env; set +a; \
	  status=0; $(BIN)/python -m benchmarks || status=$$?; \
	  bash scripts/test-services.sh stop $(RUN); exit $$status

# The fault suite: kill -9 and resume, malformed answers, the Docker sandbox, bad input, a Redis outage (long;
# make test runs its short sample). STRESS_ARGS, e.g. --only kills --kills 10, or --out stress.json (every trial).
stress: $(STAMP)
	@bash scripts/test-services.sh start $(RUN)
	@set -a; source $(RUN)/services.env; set +a; \
	  status=0; $(BIN)/python -m stress $(STRESS_ARGS) || status=$$?; \
	  bash scripts/test-services.sh stop $(RUN); exit $$status

# Localization on ../shared/data/locbench-dev.jsonl (tuning and held-out halves, BM25 alongside), then sympy and
# pytest as scale cases; mirrors from $SWE_TEAM_MIRRORS. LOCALIZE_ARGS="--half tuning" or "--no-scale" narrow it.
bench-localize: $(STAMP)
	$(BIN)/python -m benchmarks.localize --out bench-out/localize-predictions.jsonl $(LOCALIZE_ARGS)

# SWE-bench Lite dev with the reference fixes: which environments validate, and why the others do not (resumable).
bench-eval: $(STAMP)
	$(BIN)/swe-team eval ../shared/data/swebench-lite-dev.jsonl --gold --repos $${SWE_TEAM_MIRRORS:-/work/.mirror} \
	  --jobs 2 --out bench-out/eval-gold $(EVAL_ARGS)

clean:
	rm -rf $(RUN) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
