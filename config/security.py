"""Deployment security helpers the settings use: the local secret key file, the host names a
bind address answers to, and the TLS proxy header.

`python -m config.security var/secret_key` writes a new random key there (mode 600) unless the
file exists; `make serve` runs it once, so the production settings never fall back to the
public development key (they refuse to start with it).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import sys
from pathlib import Path

from django.core.management.utils import get_random_secret_key

SECRET_KEY_FILE = "secret_key"
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"]


def secret_key_read(path: Path) -> str | None:
    """The key stored in `path`, or None when there is no such file (or it is empty)."""
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def secret_key_ensure(path: Path) -> bool:
    """Write a new key to `path`, readable by its owner only; False if it existed already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as file:
        file.write(get_random_secret_key() + "\n")
    return True


def bind_host_names(host: str) -> list[str]:
    """The `ALLOWED_HOSTS` a server bound to `host` answers to: the address itself (loopback
    addresses: every loopback name); every interface: this machine's names and addresses."""
    host = host.strip().strip("[]")
    if host in ("", "0.0.0.0", "::"):
        return _machine_names()
    if host == "localhost":
        return list(LOOPBACK_NAMES)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return [host]  # a host name
    if address.is_loopback:
        return list(LOOPBACK_NAMES)
    return [f"[{host}]" if address.version == 6 else host]


def _machine_names() -> list[str]:
    names = set(LOOPBACK_NAMES)
    hostname = socket.gethostname()
    names |= {hostname, socket.getfqdn()}
    with contextlib.suppress(OSError):
        names |= set(socket.gethostbyname_ex(hostname)[2])
    return sorted(name for name in names if name)


def proxy_ssl_header(value: str) -> tuple[str, str]:
    """`HTTP_X_FORWARDED_PROTO,https` -> Django's SECURE_PROXY_SSL_HEADER; ValueError if bad."""
    header, _, expected = (part.strip() for part in value.partition(","))
    if not header.startswith("HTTP_") or not expected or "," in expected:
        raise ValueError("expected HTTP_<HEADER>,<value>, e.g. HTTP_X_FORWARDED_PROTO,https")
    return header, expected


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/secret_key")
    if secret_key_ensure(target):
        print(f"Wrote a new secret key to {target} (mode 600).")
