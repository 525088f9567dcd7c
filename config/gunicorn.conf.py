"""gunicorn settings, all from the environment (`make serve` uses this file)."""

import logging
import multiprocessing

from config.env import environment

# A bad value (GUNICORN_WORKERS=two) stops gunicorn with one line naming the variable.
with environment() as env:
    bind = f"{env.str('HOST', '127.0.0.1')}:{env.int('PORT', 4200)}"
    # With SQLite the live event/log streams stay inside one process (events.bus): one worker.
    _on_postgres = env.str("DATABASE_URL", "").startswith(("postgres", "pgsql", "postgis"))
    _default_workers = min(2 * multiprocessing.cpu_count() + 1, 8) if _on_postgres else 1
    workers = env.int("GUNICORN_WORKERS", _default_workers)
    threads = env.int("GUNICORN_THREADS", 1)
    timeout = env.int("GUNICORN_TIMEOUT", 60)
    # Recycle workers now and then so slow leaks cannot accumulate.
    max_requests = env.int("GUNICORN_MAX_REQUESTS", 10000)
    # `-` (stdout, the default), a file, or `off`.
    _access = env.str("GUNICORN_ACCESS_LOG", "-")
    accesslog = None if _access.lower() == "off" else _access
    loglevel = logging.getLevelName(env.log_level("LOG_LEVEL", logging.INFO)).lower()
# Formats access lines only when there is an access log (config/gunicorn_logging.py).
logger_class = "config.gunicorn_logging.ServerLogger"
graceful_timeout = 30
keepalive = 5
max_requests_jitter = 1000
errorlog = "-"
# gunicorn's control socket defaults to one path per user, shared by every instance on the
# machine (a second server would take over the first one's). The server does not use it.
control_socket_disable = True
# gunicorn's error and access lines in the server's format (a time and a level on each);
# GUNICORN_ACCESS_LOG still chooses stdout (`-`), a file, or nothing (`off`).
_access_handler: dict[str, str] = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
if accesslog and accesslog != "-":
    _access_handler = {"class": "logging.FileHandler", "filename": accesslog}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"}
    },
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "plain"},
        "access": {**_access_handler, "formatter": "plain"},
    },
    "root": {"level": loglevel.upper(), "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["access"] if accesslog else [],
            "propagate": False,
        },
    },
}

# `manage.py run_services` beside the web server (config/services_process.py), unless
# SERVE_WITH_SERVICES=false (for deployments that run it as a process of its own).
with environment() as env:
    serve_with_services = env.bool("SERVE_WITH_SERVICES", True)


def when_ready(server: object) -> None:
    from config.services_process import services_start

    services_start(enabled=serve_with_services)


def on_exit(server: object) -> None:
    from config.services_process import services_stop

    services_stop()
