# Vetra developer commands. `make run` and `make test` work on a fresh machine with
# Python 3.11 and access to the package registry: they create .venv and install the
# hash-pinned requirements.lock first (again only when the lock changes).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements.lock.sha256
BOOT_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)

.PHONY: help install run test lint format pytest fuzz bench db-stop clean

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

run: install  ## database, migrations, demo tenant, core API (8001) and BFF (8000); Ctrl-C stops all
	$(PY) -m scripts.run

lint: install  ## ruff check, ruff format --check, mypy (strict)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: install  ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

pytest: install  ## the test suite against a real PostgreSQL (embedded unless DATABASE_URL is set)
	$(PY) -m pytest

test: lint pytest  ## lint, then the test suite

fuzz: install  ## only the schemathesis stage (part of `make test`); VETRA_FUZZ_EXAMPLES=n for more cases
	$(PY) -m pytest -m fuzz

bench: install  ## every bench in bench/ (/me load, login storm, eligibility, import, queue, settlement run); each starts its own stack
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) -m bench.$$(basename $$b .py) || exit 1; done

db-stop: ## stop every embedded PostgreSQL under .data/
	@if [ -x $(PY) ]; then $(PY) -m scripts.run stop-db; fi

clean: db-stop  ## stop the embedded servers, remove .venv and .data (all local data)
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
