# scamintel — `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# npm ci empties node_modules first, so its stamp lives inside it: a wiped folder reinstalls.
NPM_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
FUZZ_SECONDS ?= 300

.PHONY: help install demo serve test test-fast test-browser lint format bench fuzz screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core for the accessibility checks of tests/browser, pinned by package-lock.json.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP) ## Create .venv with scamintel and its dev extras; npm ci for tests

# The "spot the scam" exercise of /learn shows anonymised messages of the labelled data sets
# when they sit beside the checkout (they are never copied into it).
LEARN_MESSAGES := $(wildcard ../shared/data/messages)

demo: install ## Create the database, load the demonstration data and serve the check page on http://127.0.0.1:8000
	$(BIN)/scamintel init
	$(BIN)/scamintel demo
	$(if $(LEARN_MESSAGES),SCAMINTEL_LEARN_MESSAGES_DIR=$(abspath $(LEARN_MESSAGES))) $(BIN)/scamintel serve --host $(HOST) --port $(PORT)

serve: install ## Serve the node (after `scamintel init`)
	$(BIN)/scamintel serve --host $(HOST) --port $(PORT)

test: install ## Run the whole test suite (SQLite and PostgreSQL, Chromium)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test-browser: install ## Run only the browser tests (Debian's chromium, see tests/browser)
	$(BIN)/pytest -p no:cacheprovider tests/browser

lint: install ## Check style and types (ruff, mypy)
	$(BIN)/ruff check src tests bench fuzz
	$(BIN)/ruff format --check src tests bench fuzz
	$(BIN)/mypy

format: install ## Reformat the code
	$(BIN)/ruff format src tests bench fuzz
	$(BIN)/ruff check --fix src tests bench fuzz

bench: install ## Run the benchmarks (long; see docs/benchmarks.md)
	$(BIN)/pip install --quiet -e '.[dev,peers]'
	$(BIN)/python -m bench.run_all

fuzz: install ## Fuzz indicator extraction for FUZZ_SECONDS (default 300)
	$(BIN)/python -m fuzz.extraction --seconds $(FUZZ_SECONDS)

screenshots: install ## Save phone-size screenshots of the public pages to docs/screenshots
	$(BIN)/python -m tests.browser.screenshots

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) node_modules test-results .mypy_cache .ruff_cache build src/*.egg-info
