# jixiao: `make run` starts the demo on http://127.0.0.1:8000/, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The stamp's name changes whenever a requirements file or pyproject.toml changes, so
# `make install` reinstalls exactly then and is a no-op otherwise.
REQ_FILES := requirements.txt requirements-dev.txt requirements-lock.txt pyproject.toml
STAMP := $(VENV)/.installed-$(shell cat $(REQ_FILES) | sha256sum | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-browser

install: $(STAMP)

$(STAMP): $(REQ_FILES)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "需要 Python 3.11（当前：$$($(PYTHON) --version 2>&1)），可用 make PYTHON=/path/to/python3.11 指定"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

# `make run` never destroys data: the demo goes only into an empty database (start over with
# `jixiao demo --reset`); `jixiao serve` upgrades the schema after a backup copy.
run: install
	JIXIAO_DEMO=1 $(BIN)/jixiao demo --if-empty
	@# One background-job worker beside the web server, stopped with it.
	JIXIAO_DEMO=1 $(BIN)/jixiao worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
		JIXIAO_DEMO=1 $(BIN)/jixiao serve --host $(HOST) --port $(PORT)

test:
	scripts/test.sh

# The Playwright walks of every stage (Debian chromium); screenshots go to test-output/.
test-browser: install
	env -u DATABASE_URL -u DB_ENGINE $(BIN)/python -m pytest -m browser -p no:cacheprovider

# Static checks: ruff (rules in pyproject.toml [tool.ruff]) and mypy ([tool.mypy]).
.PHONY: lint
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# The quick loop (under a minute): lint, types, and the tests that need no database and start no
# other program (no LibreOffice, no browser, no child process, no PostgreSQL). `make test` runs all.
FAST_TESTS := not database and not libreoffice and not browser and not subprocess and not postgres

.PHONY: check fast-test
check: install lint fast-test

fast-test: install
	env -u DATABASE_URL -u DB_ENGINE $(BIN)/python -m pytest -m "$(FAST_TESTS)" --durations=5
