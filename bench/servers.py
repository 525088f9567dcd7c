"""Server processes for bench/ab.py: each model is a gunicorn on its own loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import load

REPO = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CONF = ["-c", "config/gunicorn.conf.py"]

# model -> (gunicorn arguments after the config file, extra environment)
MODELS: dict[str, tuple[list[str], dict[str, str]]] = {
    # today's sync workers (`config/wsgi.py`), the model before this change
    "sync": (["config.wsgi"], {}),
    # `make serve`: the ASGI worker, HTTP through config.wsgi_bridge
    "asgi": (["-k", "asgi", "config.asgi:application"], {}),
    "asgi-t8": (["-k", "asgi", "config.asgi:application"], {"ASGI_THREADS": "8"}),
    # the alternative measured for the decision: Django's own ASGIHandler
    # (per-request threads: persistent connections would leak, so CONN_MAX_AGE=0 as Django advises)
    "django-asgi": (["-k", "asgi", "bench.django_asgi:application"], {"DB_CONN_MAX_AGE": "0"}),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`model` names an entry of MODELS; `asgi@/path/to/checkout` is `make serve`'s ASGI
    server run from another checkout of this repository (e.g. a worktree of main), for A/B
    of code changes on one database."""

    def __init__(self, model: str, database_url: str, workers: int) -> None:
        base_model, _, checkout = model.partition("@")
        arguments, extra = MODELS[base_model]
        if checkout:
            extra = {**extra, "PYTHONPATH": checkout}
        self.cwd = Path(checkout) if checkout else REPO
        self.model = model
        self.port = free_port()
        self.command = [GUNICORN, *CONF, *arguments]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_ACCESS_LOG": "off",
            "LOG_LEVEL": "WARNING",
            # The API alone: a benchmark runs the background services itself when it wants them.
            "SERVE_WITH_SERVICES": "false",
            **extra,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def target(self) -> load.Target:
        return load.loopback_target(f"http://127.0.0.1:{self.port}/api", use_gzip=True, timeout=30)

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.model} exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.model} did not answer within {timeout}s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
