#!/usr/bin/env python
"""What authentication costs per request: auth off vs Prefect's auth string vs an API key.

    DATABASE_URL=postgres://... .venv/bin/python bench/auth_cost.py [--rounds 7] [--requests 200]

In-process through the whole middleware stack, routing and view (DRF's test client) against
a throwaway test database, like bench/set_state_cost.py. Rounds interleave the three modes
(rotating which goes first); each round times `--requests` reads (`GET /flow_runs/{id}`) and
as many `set_state` transitions per mode. Reported: the median over rounds of each round's
median, the ratio to "off", and SQL statements per request.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402 - after the path is set

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from access.levels import Level  # noqa: E402
from access.services import api_key_create, user_grant_level  # noqa: E402

AUTH_STRING = "bench:secret"


def modes() -> dict[str, tuple[dict[str, Any], str | None]]:
    user = User.objects.create(username="bench")
    user_grant_level(user=user, level=Level.WRITE)
    _, key = api_key_create(user=user, name="bench")
    basic = "Basic " + base64.b64encode(AUTH_STRING.encode()).decode()
    return {
        "off": ({"PREFECT_SERVER_API_AUTH_STRING": ""}, None),
        "auth string": ({"PREFECT_SERVER_API_AUTH_STRING": AUTH_STRING}, basic),
        "API key": ({"PREFECT_SERVER_API_AUTH_STRING": AUTH_STRING}, f"Bearer {key}"),
    }


def timed(client: APIClient, calls: list[tuple[str, str, Any]]) -> tuple[float, int]:
    """Median seconds per call, and SQL statements per call."""
    statements = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    times = []
    with connection.execute_wrapper(count):
        for method, path, body in calls:
            began = time.perf_counter()
            response = getattr(client, method)(path, body, format="json")
            times.append(time.perf_counter() - began)
            assert response.status_code in (200, 201), (path, response.status_code)
    return statistics.median(times), statements // len(calls)


def measure(rounds: int, requests: int) -> None:
    setup = APIClient()
    flow = setup.post("/api/flows/", {"name": "bench-auth"}, format="json").json()
    run = setup.post("/api/flow_runs/", {"flow_id": flow["id"]}, format="json").json()
    by_mode = modes()
    results: dict[tuple[str, str], list[float]] = {}
    statements: dict[tuple[str, str], int] = {}
    names = list(by_mode)
    for round_ in range(rounds):
        order = names[round_ % 3 :] + names[: round_ % 3]
        for name in order:
            overrides, header = by_mode[name]
            client = APIClient()
            if header:
                client.credentials(HTTP_AUTHORIZATION=header)
            runs = [
                setup.post("/api/flow_runs/", {"flow_id": flow["id"]}, format="json").json()
                for _ in range(requests // 2)
            ]
            with override_settings(**overrides):
                shapes = {
                    "read": [("get", f"/api/flow_runs/{run['id']}", None)] * requests,
                    "set_state": [
                        ("post", f"/api/flow_runs/{r['id']}/set_state", {"state": {"type": t}})
                        for r in runs
                        for t in ("PENDING", "RUNNING")
                    ],
                }
                for shape, calls in shapes.items():
                    median, count = timed(client, calls)
                    results.setdefault((name, shape), []).append(median)
                    statements[(name, shape)] = count
    print(f"database: {connection.vendor}; {rounds} rounds of {requests} requests per mode")
    for shape in ("read", "set_state"):
        base = statistics.median(results[("off", shape)])
        for name in names:
            value = statistics.median(results[(name, shape)])
            print(
                f"{shape:<10} {name:<12} median {1000 * value:6.2f} ms  "
                f"ratio {value / base:4.2f}  SQL/request {statements[(name, shape)]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        measure(args.rounds, args.requests)
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()
