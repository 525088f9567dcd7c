"""Settings shared by every environment; everything deployment-specific comes from the env."""

from __future__ import annotations

import logging
from pathlib import Path

from config.env import environment
from config.security import SECRET_KEY_FILE, bind_host_names, secret_key_read

BASE_DIR = Path(__file__).resolve().parents[2]
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"

# Everything read from the environment, in one place; a bad value stops startup with one line.
with environment() as env:
    VAR_DIR = env.path("VAR_DIR", BASE_DIR / "var")
    # SECRET_KEY, else the key `make serve` wrote once to var/secret_key, else the public
    # development key (which the production settings refuse).
    SECRET_KEY = (
        env.str("SECRET_KEY", None) or secret_key_read(VAR_DIR / SECRET_KEY_FILE) or DEV_SECRET_KEY
    )
    DEBUG = env.bool("DEBUG", False)
    # By default, the names of the address the server binds (HOST, as gunicorn reads it).
    ALLOWED_HOSTS = [
        h.strip() for h in env.str("ALLOWED_HOSTS", "").split(",") if h.strip()
    ] or bind_host_names(env.str("HOST", "127.0.0.1"))
    DEFAULT_SQLITE_FILE = VAR_DIR / "prefect.sqlite3"
    DATABASES = {
        "default": env.dj_db_url(
            "DATABASE_URL",
            f"sqlite:///{DEFAULT_SQLITE_FILE}",
            conn_max_age=env.int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    sqlite_busy_timeout = env.int("SQLITE_BUSY_TIMEOUT", 20)
    # PostgreSQL's JIT compiles a plan whose estimated cost passes `jit_above_cost`: 7-50 ms
    # spent before a query that then reads a few thousand index entries (a per-range subquery
    # estimated at 0.5% of the table, say). Off for this server's connections unless asked.
    database_jit = env.bool("DATABASE_JIT", False)
    # The hot statements (a run by id, a state change's writes) as prepared statements, parsed
    # and planned once per connection (flowruns/statement_cursor.py). Off for a pooler that
    # cannot keep named prepared statements (PgBouncer in transaction mode, before 1.21).
    DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", True)
    # Seconds a client is told to wait (`Retry-After`) when the database is unavailable (503).
    DATABASE_RETRY_AFTER = env.int("DATABASE_RETRY_AFTER", 5)
    # Request bodies (a batch of logs is the largest) are capped; beyond this a 413 is returned.
    DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
    # Reported by /api/admin/version; the client requires the same major version.
    PREFECT_SERVER_VERSION = env.str("PREFECT_SERVER_VERSION", "3.9.1")
    PREFECT_API_DEFAULT_LIMIT = env.int("PREFECT_API_DEFAULT_LIMIT", 200)
    PREFECT_MAX_PARAMETER_SIZE = env.int("PREFECT_MAX_PARAMETER_SIZE", 524288)
    PREFECT_FLOW_RUN_GRAPH_MAX_NODES = env.int("PREFECT_FLOW_RUN_GRAPH_MAX_NODES", 10000)
    PREFECT_TASK_CACHE_KEY_MAX_LENGTH = env.int("PREFECT_TASK_CACHE_KEY_MAX_LENGTH", 2000)
    # Dotted path of the flow-run orchestration policy; swap it to plug in your own rules.
    ORCHESTRATION_FLOW_POLICY = env.str(
        "ORCHESTRATION_FLOW_POLICY", "orchestration.policies.CoreFlowPolicy"
    )
    # Prefect's shared password (HTTP Basic), and whether API keys alone are required.
    PREFECT_SERVER_API_AUTH_STRING = env.str("PREFECT_SERVER_API_AUTH_STRING", None)
    API_AUTH_REQUIRED = env.bool("API_AUTH_REQUIRED", False)
    # Seconds a worker remembers a checked API key (0: check every request).
    API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", 10)
    # Optional throttling per API key or client address, in DRF's syntax ("600/min").
    API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", None)
    log_level = env.log_level("LOG_LEVEL", logging.INFO)
    # ASGI server (config/asgi.py): threads per worker process for HTTP requests (Django's WSGI
    # handler) and for the event sockets' database work. Each may hold one DB connection.
    ASGI_THREADS = env.int("ASGI_THREADS", 4)
    EVENTS_SOCKET_THREADS = env.int("EVENTS_SOCKET_THREADS", 2)

INSTALLED_APPS = [
    # the admin with the dashboard as its index (dashboard/apps.py)
    "dashboard.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us: /api/docs/ works offline
    "rest_framework_api_key",
    "access.apps.AccessConfig",
    "flowruns.apps.FlowRunsConfig",
    "logs_app.apps.LogsConfig",
    "events.apps.EventsConfig",
    "variables.apps.VariablesConfig",
    "concurrency.apps.ConcurrencyConfig",
    "work_pools.apps.WorkPoolsConfig",
    "deployments.apps.DeploymentsConfig",
    "background.apps.BackgroundConfig",
    "dashboard.apps.DashboardConfig",
]

MIDDLEWARE = [
    "config.quiet_connections.QuietConnectionsMiddleware",  # first: see its docstring
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.gzip.FastGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.slashes.CommonMiddleware",  # APPEND_SLASH, never under /api
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "access.middleware.ApiAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# `/admin` -> `/admin/`; Prefect's paths under /api are exact and never redirect (a 301 turns
# a client's POST into a GET): config.slashes.CommonMiddleware leaves them alone.
APPEND_SLASH = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] == str(DEFAULT_SQLITE_FILE):
        VAR_DIR.mkdir(parents=True, exist_ok=True)  # the default database file lives here
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the database lock when the transaction starts, not at the first write,
        # so two orchestrations of one run serialise instead of failing mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": sqlite_busy_timeout,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not database_jit:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares nothing, even when asked, on a connection whose threshold is None
    # (Django's default). Django's own cursors bind on the client and are never prepared;
    # only flowruns.statement_cursor asks, and only when DATABASE_PREPARED_STATEMENTS is on.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("prepare_threshold", 5 if DATABASE_PREPARED_STATEMENTS else None)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite builds INCLUDE indexes without their extra columns; that is intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates and times with seconds, ISO-like, everywhere the admin shows them (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["flowruns.api.wire.rendering.PrefectJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "EXCEPTION_HANDLER": "flowruns.api.wire.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "flowruns.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # A no-op unless API_THROTTLE_RATE is set (access.throttling).
    "DEFAULT_THROTTLE_CLASSES": ["access.throttling.ClientRateThrottle"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Prefect-compatible flow-run API",
    "DESCRIPTION": (
        "Flow runs, states, orchestration, inputs and logs, wire-compatible with Prefect 3."
    ),
    "VERSION": "0.8.4",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ loads Swagger UI from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api",
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: request and response models allow `null` (JSON Schema 2020-12 style).
    "OAS_VERSION": "3.1.0",
    "PREPROCESSING_HOOKS": ["flowruns.api.openapi.drop_slashless_aliases"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "flowruns.api.openapi.document_error_answers",
    ],
}

# --- Prefect server behaviour -------------------------------------------------------------
PREFECT_API_VERSION = "0.8.4"
PREFECT_MIN_CLIENT_API_VERSION = (0, 8, 0)
# Dotted paths of the orchestration policies (the flow policy is read from the env above).
ORCHESTRATION_FORCE_FLOW_POLICY = "orchestration.policies.MinimalFlowPolicy"
ORCHESTRATION_TASK_POLICY = "orchestration.policies.CoreTaskPolicy"
ORCHESTRATION_FORCE_TASK_POLICY = "orchestration.policies.MinimalTaskPolicy"
# The late-runs service proposes `Late` under this one (spec/services.md §2).
ORCHESTRATION_LATE_RUNS_POLICY = "orchestration.policies.MarkLateRunsPolicy"

# Every line carries its time and level (gunicorn's own lines too: config/gunicorn.conf.py).
LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": LOG_FORMAT}},
    "filters": {"client_errors_are_debug": {"()": "config.log_filters.ClientErrorsAreDebug"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": log_level},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["client_errors_are_debug"]},
    },
}
