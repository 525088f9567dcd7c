"""gunicorn settings, all from the environment (`make serve` uses this file)."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '4200')}"
# With SQLite the live event/log streams stay inside one process (events.bus): one worker.
_on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql", "postgis"))
_default_workers = min(2 * multiprocessing.cpu_count() + 1, 8) if _on_postgres else 1
workers = int(os.environ.get("GUNICORN_WORKERS", _default_workers))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks cannot accumulate.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = 1000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's control socket defaults to one path per user, shared by every instance on the
# machine (a second server would take over the first one's). The server does not use it.
control_socket_disable = True
