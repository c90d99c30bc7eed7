# I Matter platform. Two commands from a fresh clone:
#   make run    build .venv, migrate, seed reference + fictional demo data, start everything (portal http://127.0.0.1:8000)
#   make test   build .venv, lint, audit the lock and run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export IMATTER_VAR_DIR ?= $(CURDIR)/var
SERVICES := training cic_tracker gateway

.PHONY: venv lock audit migrate seed run test lint format bench drills clean keys

# Third-party packages come from the lock only, each file checked against its hashes (pip and
# setuptools too); our four packages from this checkout, without an index or their dependencies
# (the lock has them all; `pip check` fails if a pyproject.toml declares one the lock lacks).
# `make lock` regenerates the locks after a change to a pyproject.toml or requirements-dev.in.
LOCK := requirements-dev.lock
LOCAL_PACKAGES := -e shared -e services/training -e services/cic-tracker -e services/gateway
$(STAMP): $(LOCK) shared/pyproject.toml services/training/pyproject.toml services/cic-tracker/pyproject.toml services/gateway/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation $(LOCAL_PACKAGES)
	$(BIN)/python -m pip check
	touch $(STAMP)

venv: $(STAMP)

keys: venv
	$(BIN)/python -c "from gateway.keys import ensure_keypair; import os; d=os.environ['IMATTER_VAR_DIR']+'/keys'; ensure_keypair(d+'/jwt_private.pem', d+'/jwt_public.pem')"

migrate: venv keys
	@for app in $(SERVICES); do echo "migrate $$app"; $(BIN)/flask --app $$app db upgrade || exit 1; done

seed: migrate
	@for app in $(SERVICES); do $(BIN)/flask --app $$app seed --demo || exit 1; done

run: seed
	$(BIN)/honcho start -f Procfile

# pip-tools: the lock files from requirements-dev.in and each pyproject.toml (tools/lock.py).
# LOCK_ARGS="--upgrade-package flask" moves one package, LOCK_ARGS=--upgrade everything.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/pip-compile || $(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python tools/lock.py $(LOCK_ARGS)

# pip-audit over the lock; a vulnerability service out of reach warns loudly (NOT AUDITED) and
# does not fail, unless AUDIT_STRICT=1 (docs/decisions/0046).
audit: venv
	$(BIN)/python tools/audit.py $(LOCK)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Tests run on TEST_WORKERS processes (pytest-xdist), a test file per worker at a time so that a
# module's stack of services starts once. The broker-outage tests stop RabbitMQ for everyone on
# the machine, so they run after the rest, alone; exit code 5 only means PYTEST_ARGS selected none.
TEST_WORKERS ?= 4
test: lint audit
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not broker_outage" --durations=15 $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m broker_outage $(PYTEST_ARGS) || [ $$? -eq 5 ]

bench: venv
	$(BIN)/python -m bench.run_all

# The full reliability drill (by hand; about 25 minutes, root for its own PostgreSQL and RabbitMQ):
# faults under load, then a soak; results in var/drills/, summarised in docs/reliability.md.
# DRILL_ARGS="--kills 5 --soak-minutes 2" for a quicker one.
drills: venv
	PYTHONPATH=tests $(BIN)/python -m drills.run $(DRILL_ARGS)

clean:
	rm -rf var $(VENV)
