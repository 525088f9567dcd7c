"""Settings shared by every environment; everything deployment-specific comes from the env."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
if SECRET_KEY == DEV_SECRET_KEY:
    warnings.warn(
        "SECRET_KEY is not set; using the development default. Set SECRET_KEY in production.",
        stacklevel=1,
    )

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "*").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "flowruns.apps.FlowRunsConfig",
    "logs_app.apps.LogsConfig",
    "events.apps.EventsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Prefect's paths are exact: never redirect (a 301 turns a client's POST into a GET).
APPEND_SLASH = False

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

DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'prefect.sqlite3'}"
DATABASES = {
    # An empty DATABASE_URL means "not set" (CI runs the SQLite pass with DATABASE_URL=).
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if not os.environ.get("DATABASE_URL"):
        VAR_DIR.mkdir(parents=True, exist_ok=True)  # the default database file lives here
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the database lock when the transaction starts, not at the first write,
        # so two orchestrations of one run serialise instead of failing mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

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

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Request bodies (a batch of logs is the largest) are capped; beyond this a 413 is returned.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["flowruns.api.wire.rendering.PrefectJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "EXCEPTION_HANDLER": "flowruns.api.wire.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Prefect-compatible flow-run API",
    "DESCRIPTION": (
        "Flow runs, states, orchestration, inputs and logs, wire-compatible with Prefect 3."
    ),
    "VERSION": "0.8.4",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api",
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: request and response models allow `null` (JSON Schema 2020-12 style).
    "OAS_VERSION": "3.1.0",
    "PREPROCESSING_HOOKS": ["flowruns.api.openapi.drop_slashless_aliases"],
}

# --- Prefect server behaviour -------------------------------------------------------------
PREFECT_API_VERSION = "0.8.4"
PREFECT_MIN_CLIENT_API_VERSION = (0, 8, 0)
# Reported by /api/admin/version; the client requires the same major version.
PREFECT_SERVER_VERSION = os.environ.get("PREFECT_SERVER_VERSION", "3.9.1")
PREFECT_API_DEFAULT_LIMIT = env_int("PREFECT_API_DEFAULT_LIMIT", 200)
PREFECT_BULK_OPERATION_LIMIT = 50
PREFECT_MAX_PARAMETER_SIZE = env_int("PREFECT_MAX_PARAMETER_SIZE", 524288)
PREFECT_FLOW_RUN_GRAPH_MAX_NODES = env_int("PREFECT_FLOW_RUN_GRAPH_MAX_NODES", 10000)
PREFECT_DEPLOYMENT_CONCURRENCY_SLOT_WAIT_SECONDS = 30
PREFECT_TASK_CACHE_KEY_MAX_LENGTH = env_int("PREFECT_TASK_CACHE_KEY_MAX_LENGTH", 2000)
# Dotted paths of the orchestration policies; swap them to plug in your own rules.
ORCHESTRATION_FLOW_POLICY = os.environ.get(
    "ORCHESTRATION_FLOW_POLICY", "orchestration.policies.CoreFlowPolicy"
)
ORCHESTRATION_FORCE_FLOW_POLICY = "orchestration.policies.MinimalFlowPolicy"
ORCHESTRATION_TASK_POLICY = "orchestration.policies.CoreTaskPolicy"
ORCHESTRATION_FORCE_TASK_POLICY = "orchestration.policies.MinimalTaskPolicy"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- ASGI server (config/asgi.py) --------------------------------------------------------------
# Threads per worker process: HTTP requests (Django's WSGI handler) and the event sockets'
# database work. Each thread may hold one database connection (CONN_MAX_AGE).
ASGI_THREADS = env_int("ASGI_THREADS", 4)
EVENTS_SOCKET_THREADS = env_int("EVENTS_SOCKET_THREADS", 2)
