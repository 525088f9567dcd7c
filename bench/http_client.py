"""The benchmarks' HTTP side: a loopback-only target, a keep-alive client and the calls it
sends (used by bench/load.py and bench/compare.py)."""

from __future__ import annotations

import gzip
import http.client
import ipaddress
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Target:
    host: str  # a loopback address
    port: int
    base: str  # API root path, e.g. "/api"
    gzip: bool
    timeout: float

    def headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "prefect-django-bench/1.0",
            "X-PREFECT-API-VERSION": "0.8.4",
        }
        if self.gzip:  # what the Prefect client (httpx) sends
            headers["Accept-Encoding"] = "gzip, deflate"
        return headers


def loopback_target(url: str, *, use_gzip: bool, timeout: float) -> Target:
    """Refuse anything but http:// on 127.0.0.0/8, ::1 or localhost (resolved and checked)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"refusing {url!r}: only http://<loopback>[:port]/path URLs")
    host = parts.hostname
    if host == "localhost":
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)}
    else:
        addresses = {host}
    for address in sorted(addresses):
        try:
            loopback = ipaddress.ip_address(address).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise SystemExit(f"refusing {url!r}: {address} is not a loopback address")
    address = sorted(addresses)[0] if host == "localhost" else host
    return Target(address, parts.port or 80, parts.path.rstrip("/"), use_gzip, timeout)


class Client:
    """One keep-alive connection; reconnects when the server closed it (gunicorn's sync
    workers close after every response) and retries once if a reused connection turns
    out to be dead."""

    def __init__(self, target: Target, *, decode: bool) -> None:
        self.target = target
        self.headers = target.headers()
        self.decode = decode  # unpack gzipped bodies (only worth it when they are read)
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.target.host, self.target.port, timeout=self.target.timeout
                )
            try:
                self.connection.request(
                    method, self.target.base + path, body=body, headers=self.headers
                )
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.close()
                if reused and attempt == 1:
                    continue
                raise
            except Exception:
                self.close()
                raise
            if response.will_close:
                self.close()
            if self.decode and response.getheader("Content-Encoding") == "gzip":
                data = gzip.decompress(data)
            return response.status, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def json(self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200,)):
        status, data = self.request(method, path, None if body is None else encode(body))
        if status not in expect:
            raise SystemExit(f"{method} {path} answered {status}: {data[:300]!r}")
        return json.loads(data) if data else None


def encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


# ---- scenarios ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None
    expect: int
    check: Callable[[Any], bool]  # applied to the decoded body with --check-body
