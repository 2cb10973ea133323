# meshcore — the only prerequisites are python3 (3.11) and make.
# Everything else is installed into .tools/ (uv) and .venv/ (the locked workspace).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
export UV_PROJECT_ENVIRONMENT := $(VENV)
PORT ?= 4566
PORTAL_PORT ?= 8080

.PHONY: setup demo up compose-test test test-fast lint typecheck format contracts bench eval-classifier reliability browser screenshots clean

setup: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml libs/meshcore/pyproject.toml services/*/pyproject.toml emulator/pyproject.toml devstack/pyproject.toml
	$(UV) sync --frozen --all-packages --quiet
	@touch $@

demo: setup ## run the whole flow on the embedded AWS and tell it step by step; DEMO_ARGS=--keep leaves it up to browse
	$(BIN)/python -m meshcore_devstack.demo $(DEMO_ARGS)

up: setup ## the stack as local processes in the foreground (Ctrl-C stops it)
	$(BIN)/python -m meshcore_devstack.up --port $(PORT) --portal-port $(PORTAL_PORT)

compose-test: setup ## build the images, run docker-compose.yml on a private Docker engine, check it end to end (root)
	$(BIN)/python -m meshcore_devstack.compose_test --port $(PORT)

test: setup browser lint typecheck ## lint, type-check, then every test (unit, integration, end to end)
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest tests/unit

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: setup
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

contracts: setup ## regenerate the published JSON Schemas of every message
	$(BIN)/meshctl contracts --out contracts

bench: setup ## every worker against the embedded AWS's limit, one report (never pass/fail); BENCH_ARGS=--quick
	$(BIN)/python -m bench $(BENCH_ARGS)

eval-classifier: setup ## classifier precision, recall, F1, confusion and throughput on the labelled corpus
	$(BIN)/python tests/classifier_eval/evaluate.py $(EVAL_ARGS)

reliability: setup ## every fault scenario at full size (RELIABILITY_CHANGES=2000); prints and writes reliability/results/
	$(BIN)/pytest tests/reliability -m "not smoke"

browser: ## Debian's Chromium for the portal's browser tests (installed when root with apt-get)
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else echo "chromium is not installed and cannot be installed here (needs root and apt-get): browser tests will be skipped"; fi

screenshots: setup browser ## refresh the README's portal screenshots (docs/screenshots/) with the browser test
	MESHCORE_SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest -m browser -q

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache .compose
