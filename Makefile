# mahrem developer tasks (GNU make).  `make` alone prints help.

VENV := .venv
PY   := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Used by `make run` only (override on the command line or in the environment).
MAHREM_DATABASE_URL ?= sqlite:///$(CURDIR)/var/mahrem.db
MAHREM_KEY_DIR      ?= $(CURDIR)/var/keys

# Extra arguments for pytest, e.g. `make test PYTEST_ARGS='-k store -x'`.
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test bench clean

help:
	@echo 'mahrem make targets:'
	@echo '  make run    install into $(VENV), migrate + load demo data into var/, serve on http://127.0.0.1:8000'
	@echo '  make test   run the test suite against a throw-away PostgreSQL (PYTEST_ARGS=... passes options)'
	@echo '              MAHREM_TEST_PG=skip make test  skips the PostgreSQL tests (loudly)'
	@echo '  make bench  run benches/decide.py'
	@echo '  make clean  remove $(VENV), var/ and caches'

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

run: export MAHREM_DATABASE_URL := $(MAHREM_DATABASE_URL)
run: export MAHREM_KEY_DIR := $(MAHREM_KEY_DIR)
run: $(STAMP)
	mkdir -p var
	$(VENV)/bin/mahrem db upgrade
	$(VENV)/bin/mahrem demo load
	$(VENV)/bin/mahrem serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	scripts/test-with-postgres $(VENV)/bin/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)
	$(VENV)/bin/pip install -q -e '.[test,bench]'
	$(PY) benches/decide.py

clean:
	rm -rf $(VENV) var build dist .pytest_cache .hypothesis .ruff_cache .mypy_cache htmlcov .coverage
	find . -path ./.git -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +
