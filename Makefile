# Vetra developer commands. `make run` and `make test` work on a fresh machine with
# Python 3.11 and access to the package registry: they create .venv and install the
# hash-pinned requirements.lock first (again only when the lock changes).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements.lock.sha256
BOOT_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)

.PHONY: help install web web-types web-lint web-test chromium screenshots run test lint format pytest fuzz bench db-stop clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(PY):
	@test -n "$(BOOT_PYTHON)" || { echo "python3.11 (or python3 >= 3.11) is needed"; exit 1; }
	@$(BOOT_PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "$(BOOT_PYTHON) is older than Python 3.11"; exit 1; }
	$(BOOT_PYTHON) -m venv $(VENV)

install: $(PY)  ## create .venv and install requirements.lock (skipped when unchanged)
	@want=$$($(PY) -c 'import hashlib; print(hashlib.sha256(open("requirements.lock", "rb").read()).hexdigest())'); \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
	  echo "installing requirements.lock into $(VENV)"; \
	  $(PY) -m pip install --quiet --require-hashes -r requirements.lock && echo "$$want" > $(STAMP); \
	fi

web: install  ## build the portals (web/dist) when their sources changed
	$(PY) -m scripts.web build

web-types: install  ## regenerate web/src/api/schema.d.ts from the services' OpenAPI
	$(PY) -m scripts.web deps
	$(PY) -m scripts.web_api

NPM := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm --prefix web

web-lint: install  ## tsc --strict and eslint over web/
	$(PY) -m scripts.web deps
	$(NPM) run --silent typecheck
	$(NPM) run --silent lint

web-test: install  ## the web app's unit tests (vitest)
	$(PY) -m scripts.web deps
	$(NPM) run --silent test

chromium:  ## Debian's chromium for the browser tests (installed when missing, as root)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "the browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

screenshots: web chromium  ## the README's screenshots (docs/screens), taken by the browser tests
	VETRA_SCREENSHOTS=1 $(PY) -m pytest tests/web -q

run: web  ## database, migrations, demo tenant, core API (8001) and BFF with the portals (8000); Ctrl-C stops all
	$(PY) -m scripts.run

lint: install web-lint  ## ruff check, ruff format --check, mypy (strict); tsc and eslint over web/
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: install  ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

pytest: web chromium  ## the test suite against a real PostgreSQL (embedded unless DATABASE_URL is set), browser tests included
	$(PY) -m pytest

test: lint web-test pytest  ## lint, the web app's unit tests, then the test suite (API and browser)

fuzz: install  ## only the schemathesis stage (part of `make test`); VETRA_FUZZ_EXAMPLES=n for more cases
	$(PY) -m pytest -m fuzz

bench: install  ## every bench in bench/ (/me load, login storm, eligibility, import, queue, settlement run); each starts its own stack
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) -m bench.$$(basename $$b .py) || exit 1; done

db-stop: ## stop every embedded PostgreSQL under .data/
	@if [ -x $(PY) ]; then $(PY) -m scripts.run stop-db; fi

clean: db-stop  ## stop the embedded servers, remove .venv and .data (all local data)
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache web/node_modules web/dist
