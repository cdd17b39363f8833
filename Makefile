# scamintel — `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
FUZZ_SECONDS ?= 300

.PHONY: help install demo serve test test-fast lint format bench fuzz clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install scamintel with its dev extras

demo: install ## Create the database, load the demonstration data and serve on http://127.0.0.1:8000
	$(BIN)/scamintel init
	$(BIN)/scamintel demo
	$(BIN)/scamintel serve --host $(HOST) --port $(PORT)

serve: install ## Serve the node (after `scamintel init`)
	$(BIN)/scamintel serve --host $(HOST) --port $(PORT)

test: install ## Run the whole test suite (SQLite and PostgreSQL)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

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

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache build src/*.egg-info
