"""Production settings: never the public development SECRET_KEY (`make serve` writes a local
one once, mode 600), ALLOWED_HOSTS from the bind address, and `check --deploy` clean both on
plain HTTP and behind a TLS proxy (where HSTS, the redirect and secure cookies are on)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config.security import bind_host_names, proxy_ssl_header, secret_key_ensure

ROOT = Path(__file__).resolve().parents[2]
CLEARED = ("SECRET_KEY", "ALLOWED_HOSTS", "HOST", "DEBUG", "SECURE_COOKIES", "DATABASE_URL")
SHOW = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "SECRET_KEY": s.SECRET_KEY, "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "PROXY": s.SECURE_PROXY_SSL_HEADER, "HSTS": s.SECURE_HSTS_SECONDS,
    "REDIRECT": s.SECURE_SSL_REDIRECT, "SESSION_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_SECURE": s.CSRF_COOKIE_SECURE,
}))
"""


def run(args: list[str], var_dir: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CLEARED and not k.startswith(("SECURE_", "DJANGO_", "PREFECT_"))
    }
    env |= {"VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    env |= variables
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def production(var_dir: Path, **variables: str) -> dict:
    done = run([sys.executable, "-c", SHOW], var_dir, **variables)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_refuses_the_development_key_with_one_line(tmp_path):
    done = run([sys.executable, "manage.py", "check"], tmp_path)
    assert done.returncode != 0
    assert done.stderr.splitlines() == [
        "Refusing to start with the public development SECRET_KEY: set SECRET_KEY, or run "
        "`make serve` once (it writes a random key to var/secret_key, mode 600)."
    ]


def test_the_local_key_is_written_once_owner_only_and_used(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "config.security", str(tmp_path / "secret_key")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == f"Wrote a new secret key to {tmp_path / 'secret_key'} (mode 600).\n"
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert not secret_key_ensure(key_file)  # a second run keeps it
    assert key_file.read_text().strip() == key
    assert production(tmp_path)["SECRET_KEY"] == key
    assert production(tmp_path, SECRET_KEY="from-env")["SECRET_KEY"] == "from-env"


def test_make_serve_writes_the_key_before_starting():
    makefile = (ROOT / "Makefile").read_text()
    assert "serve: migrate $(SECRET_KEY_FILE)" in makefile
    assert "$(PY) -m config.security $@" in makefile


def test_no_warning_is_printed_per_process(tmp_path):
    done = run([sys.executable, "-c", SHOW], tmp_path, SECRET_KEY="k" * 60)
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("host", "names"),
    [
        ("127.0.0.1", ["127.0.0.1", "localhost", "[::1]"]),
        ("localhost", ["127.0.0.1", "localhost", "[::1]"]),
        ("::1", ["127.0.0.1", "localhost", "[::1]"]),
        ("10.1.2.3", ["10.1.2.3"]),
        ("fd00::5", ["[fd00::5]"]),
        ("flows.example.com", ["flows.example.com"]),
    ],
)
def test_allowed_hosts_are_the_bind_addresses_names(host, names):
    assert bind_host_names(host) == names


def test_binding_every_interface_allows_this_machines_names():
    names = bind_host_names("0.0.0.0")
    assert {"localhost", "127.0.0.1"} <= set(names)
    assert "*" not in names


def test_allowed_hosts_follow_host_unless_given(tmp_path):
    assert production(tmp_path, SECRET_KEY="k" * 60, HOST="10.1.2.3")["ALLOWED_HOSTS"] == [
        "10.1.2.3"
    ]
    given = production(tmp_path, SECRET_KEY="k" * 60, ALLOWED_HOSTS="a.example, b.example")
    assert given["ALLOWED_HOSTS"] == ["a.example", "b.example"]


def test_plain_http_has_no_hsts_or_secure_cookies(tmp_path):
    seen = production(tmp_path, SECRET_KEY="k" * 60)
    assert (seen["PROXY"], seen["HSTS"], seen["REDIRECT"], seen["SESSION_SECURE"]) == (
        None,
        0,
        False,
        False,
    )


def test_behind_a_tls_proxy_hsts_redirect_and_secure_cookies_are_on(tmp_path):
    seen = production(
        tmp_path, SECRET_KEY="k" * 60, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https"
    )
    assert seen["PROXY"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["HSTS"] == 31536000
    assert seen["REDIRECT"] and seen["SESSION_SECURE"] and seen["CSRF_SECURE"]


def test_a_bad_proxy_header_stops_with_one_line(tmp_path):
    done = run([sys.executable, "-c", SHOW], tmp_path, SECRET_KEY="k" * 60, **{
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"
    })  # fmt: skip
    assert done.returncode != 0
    assert done.stderr.splitlines() == [
        "Invalid environment: SECURE_PROXY_SSL_HEADER: expected HTTP_<HEADER>,<value>, "
        "e.g. HTTP_X_FORWARDED_PROTO,https"
    ]
    with pytest.raises(ValueError):
        proxy_ssl_header("HTTP_X,")


@pytest.mark.parametrize("proxy", [None, "HTTP_X_FORWARDED_PROTO,https"])
def test_check_deploy_is_clean(tmp_path, proxy):
    secret_key_ensure(tmp_path / "secret_key")
    extra = {"SECURE_PROXY_SSL_HEADER": proxy} if proxy else {}
    done = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        **extra,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
