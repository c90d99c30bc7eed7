# I Matter platform. Two commands from a fresh clone:
#   make run    build .venv, migrate, seed demo data, start everything (portal http://127.0.0.1:8000)
#   make test   build .venv and run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export IMATTER_VAR_DIR ?= $(CURDIR)/var
SERVICES := training cic_tracker gateway

.PHONY: venv migrate seed run test lint format bench clean keys

$(STAMP): requirements.txt requirements-dev.txt shared/pyproject.toml services/training/pyproject.toml services/cic-tracker/pyproject.toml services/gateway/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt \
		-e shared -e services/training -e services/cic-tracker -e services/gateway
	touch $(STAMP)

venv: $(STAMP)

keys: venv
	$(BIN)/python -c "from gateway.keys import ensure_keypair; import os; d=os.environ['IMATTER_VAR_DIR']+'/keys'; ensure_keypair(d+'/jwt_private.pem', d+'/jwt_public.pem')"

migrate: venv keys
	@for app in $(SERVICES); do echo "migrate $$app"; $(BIN)/flask --app $$app db upgrade || exit 1; done

seed: migrate
	@for app in $(SERVICES); do $(BIN)/flask --app $$app seed || exit 1; done

run: seed
	$(BIN)/honcho start -f Procfile

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest --durations=15 $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m bench.run_all

clean:
	rm -rf var $(VENV)
