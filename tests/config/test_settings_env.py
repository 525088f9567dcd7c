"""Settings and gunicorn.conf.py read typed values from the environment: a bad value stops
the process with one line naming the variable, good values and the defaults parse."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
READ = {  # variables these tests set; the rest of the environment is passed through
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DB_CONN_MAX_AGE", "LOG_LEVEL",
    "SQLITE_BUSY_TIMEOUT", "DATA_UPLOAD_MAX_MEMORY_SIZE", "PREFECT_API_DEFAULT_LIMIT",
    "PREFECT_MAX_PARAMETER_SIZE", "PREFECT_SERVER_VERSION", "SECURE_COOKIES", "HOST", "PORT",
    "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_MAX_REQUESTS",
    "DJANGO_SETTINGS_MODULE", "SECURE_PROXY_SSL_HEADER", "PREFECT_SERVER_API_AUTH_STRING",
    "API_AUTH_REQUIRED", "API_THROTTLE_RATE", "DATABASE_JIT", "DATABASE_PREPARED_STATEMENTS",
}  # fmt: skip
SHOW_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG, "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "ENGINE": db["ENGINE"], "NAME": str(db["NAME"]), "PORT": db.get("PORT"),
    "CONN_MAX_AGE": db["CONN_MAX_AGE"], "LIMIT": settings.PREFECT_API_DEFAULT_LIMIT,
    "UPLOAD": settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "VERSION": settings.PREFECT_SERVER_VERSION,
    "LEVEL": settings.LOGGING["root"]["level"],
    "SECURE": getattr(settings, "SESSION_COOKIE_SECURE", None),
    "OPTIONS": db.get("OPTIONS", {}).get("options"),
}))
"""


def run(args, tmp_path, **variables):
    env = {k: v for k, v in os.environ.items() if k not in READ}
    env |= {"VAR_DIR": str(tmp_path), "SECRET_KEY": "s3cret-key", **variables}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def settings(tmp_path, module="production", **variables):
    """The settings a process sees, as JSON, with these variables set."""
    code = f"import django\ndjango.setup()\n{SHOW_SETTINGS}"
    module = {"DJANGO_SETTINGS_MODULE": f"config.settings.{module}"}
    done = run([sys.executable, "-c", code], tmp_path, **(variables | module))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def assert_one_line(done, message):
    assert done.returncode != 0
    assert done.stderr.splitlines() == [message]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("DEBUG", "maybe", "Not a valid boolean."),
        ("SECURE_COOKIES", "perhaps", "Not a valid boolean."),
        ("DB_CONN_MAX_AGE", "a minute", "Not a valid integer."),
        ("PREFECT_API_DEFAULT_LIMIT", "lots", "Not a valid integer."),
        ("DATABASE_URL", "nosuchdb://localhost/x", "Not a valid database URL."),
        ("LOG_LEVEL", "loud", "Not a valid log level."),
    ],
)
def test_a_bad_value_stops_the_settings_with_one_line_naming_it(tmp_path, name, value, reason):
    done = run(
        [sys.executable, "-c", "import config.settings.production"], tmp_path, **{name: value}
    )
    assert_one_line(done, f"Invalid environment: {name}: {reason}")


def test_manage_py_reports_every_bad_value_on_one_line_and_never_echoes_it(tmp_path):
    done = run(
        [sys.executable, "manage.py", "check"],
        tmp_path,
        DEBUG="maybe",
        DATABASE_URL="postgres://me:hunter2@db:port/x",
    )
    assert_one_line(
        done,
        "Invalid environment: DATABASE_URL: Not a valid database URL. DEBUG: Not a valid boolean.",
    )
    assert "hunter2" not in done.stderr


def test_good_values_parse(tmp_path):
    assert settings(
        tmp_path,
        DEBUG="true",
        SECURE_COOKIES="1",
        ALLOWED_HOSTS="api.example.com, localhost",
        DATABASE_URL="postgres://u@db.example.com:5433/flows",
        DB_CONN_MAX_AGE="5",
        PREFECT_API_DEFAULT_LIMIT="50",
        DATA_UPLOAD_MAX_MEMORY_SIZE="1024",
        PREFECT_SERVER_VERSION="3.10.0",
        LOG_LEVEL="debug",
    ) == {
        "DEBUG": True,
        "ALLOWED_HOSTS": ["api.example.com", "localhost"],
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "flows",
        "PORT": 5433,
        "CONN_MAX_AGE": 5,
        "LIMIT": 50,
        "UPLOAD": 1024,
        "VERSION": "3.10.0",
        "LEVEL": 10,
        "SECURE": True,
        "OPTIONS": "-c jit=off",
    }


@pytest.mark.parametrize(
    ("url", "jit", "options"),
    [
        ("postgres://u@db/flows", "", "-c jit=off"),
        ("postgres://u@db/flows", "true", None),
        (
            "postgres://u@db/flows?options=-c%20statement_timeout%3D5000",
            "",
            "-c statement_timeout=5000 -c jit=off",
        ),
    ],
)
def test_postgresql_connections_run_without_jit_unless_asked(tmp_path, url, jit, options):
    """Options given in the URL are kept, and JIT is turned off after them."""
    shown = settings(tmp_path, DATABASE_URL=url, DATABASE_JIT=jit)

    assert shown["OPTIONS"] == options


SHOW_PREPARED = """
import django, json
django.setup()
from django.conf import settings
options = settings.DATABASES["default"].get("OPTIONS", {})
print(json.dumps([settings.DATABASE_PREPARED_STATEMENTS, options.get("prepare_threshold", "-")]))
"""


@pytest.mark.parametrize(
    ("url", "prepared", "shown"),
    [
        ("postgres://u@db/flows", "", [True, 5]),
        ("postgres://u@db/flows", "false", [False, None]),
        ("", "", [True, "-"]),  # SQLite: nothing for psycopg
    ],
)
def test_prepared_statements_are_on_unless_turned_off(tmp_path, url, prepared, shown):
    """psycopg prepares nothing on a connection whose threshold is None (Django's default), so
    the setting gives one unless prepared statements are turned off."""
    variables = {"DATABASE_PREPARED_STATEMENTS": prepared, "DJANGO_SETTINGS_MODULE":
                 "config.settings.production"} | ({"DATABASE_URL": url} if url else {})  # fmt: skip
    done = run([sys.executable, "-c", SHOW_PREPARED], tmp_path, **variables)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == shown


@pytest.mark.parametrize("unset", [{}, dict.fromkeys(READ - {"SECRET_KEY"}, "")])
def test_unset_or_empty_variables_give_the_defaults(tmp_path, unset):
    defaults = {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]"],  # HOST's names
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "prefect.sqlite3"),
        "PORT": "",
        "CONN_MAX_AGE": 0,  # SQLite: no persistent connections
        "LIMIT": 200,
        "UPLOAD": 10 * 1024 * 1024,
        "VERSION": "3.9.1",
        "LEVEL": 20,
        "SECURE": False,
        "OPTIONS": None,
    }
    assert settings(tmp_path, **unset) == defaults
    assert settings(tmp_path, "local", **unset) == defaults | {"DEBUG": True}


def test_gunicorn_conf_stops_with_one_line_on_a_bad_worker_count(tmp_path):
    done = run(
        [str(GUNICORN), "-c", "config/gunicorn.conf.py", "config.wsgi"],
        tmp_path,
        GUNICORN_WORKERS="two",
    )
    assert_one_line(done, "Invalid environment: GUNICORN_WORKERS: Not a valid integer.")


def test_gunicorn_conf_reads_good_values(tmp_path):
    done = run(
        [str(GUNICORN), "-c", "config/gunicorn.conf.py", "--print-config", "config.wsgi"],
        tmp_path,
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="2",
        PORT="4391",
        LOG_LEVEL="WARNING",
    )
    assert done.returncode == 0, done.stderr
    config = {
        key.strip(): value.strip()
        for key, _, value in (line.partition("=") for line in done.stdout.splitlines())
    }
    assert config["workers"] == "3"
    assert config["threads"] == "2"
    assert config["bind"] == "['127.0.0.1:4391']"
    assert config["loglevel"] == "warning"
    assert config["timeout"] == "60"
