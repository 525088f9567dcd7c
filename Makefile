# The two commands: `make serve` and `make test`. Both work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 4200
export PORT
VAR_DIR ?= var
# Written once (mode 600) and read by the settings; the production settings refuse to run
# on the public development key.
SECRET_KEY_FILE := $(VAR_DIR)/secret_key

RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: serve test install install-dev migrate lint format typecheck migrations-check ci bench-seed bench-load

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP)

migrate: $(RUNTIME_STAMP)
	@mkdir -p var
	$(PY) manage.py migrate --noinput

$(SECRET_KEY_FILE): | $(RUNTIME_STAMP)
	$(PY) -m config.security $@

## Start the API with gunicorn at http://127.0.0.1:$(PORT)/api (SQLite unless DATABASE_URL is set):
## one ASGI server for HTTP and the event/log websockets (config/asgi.py). The environment
## passes through: PREFECT_SERVER_API_AUTH_STRING, API_AUTH_REQUIRED, SECRET_KEY, HOST, ...
SERVE_CMD = $(VENV)/bin/gunicorn -c config/gunicorn.conf.py -k asgi config.asgi:application
serve: migrate $(SECRET_KEY_FILE)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "API:   http://127.0.0.1:$(PORT)/api   (docs: http://127.0.0.1:$(PORT)/api/docs/)"
	@echo "Admin: http://127.0.0.1:$(PORT)/admin/   (create a login: $(PY) manage.py createsuperuser)"
	DJANGO_SETTINGS_MODULE=config.settings.production $(SERVE_CMD)

## Run the whole test suite (PostgreSQL when DATABASE_URL points at it, else SQLite)
test: $(DEV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy .

migrations-check: $(DEV_STAMP)
	DATABASE_URL= $(PY) manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

## The real prefect client for tests/compat, in its own virtualenv (its pins never touch .venv).
## tests/compat makes it too when it is missing; same folder, same stamp.
COMPAT_VENV := .venv-compat
COMPAT_STAMP := $(COMPAT_VENV)/.installed-compat

.PHONY: compat-venv
compat-venv: $(COMPAT_STAMP)

$(COMPAT_STAMP): tests/compat/requirements.txt
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install --quiet -r tests/compat/requirements.txt
	touch $@

## Benchmarks (see bench/README.md): fill the database, then load a running server
RUNS ?= 100000
bench-seed: migrate $(SECRET_KEY_FILE)
	DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py seed_flow_runs --runs $(RUNS)

bench-load: $(RUNTIME_STAMP)
	$(PY) bench/load.py --url http://127.0.0.1:$(PORT)/api
