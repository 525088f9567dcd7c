#!/usr/bin/env python
"""What authentication costs per request: auth off vs Prefect's auth string vs an API key.

    DATABASE_URL=postgres://... .venv/bin/python bench/auth_cost.py [--rounds 7] [--requests 200]

In-process through the whole middleware stack, routing and view (DRF's test client) against
a throwaway test database, like bench/set_state_cost.py. The three modes take turns request by
request (rotating who goes first); each round times `--requests` reads (`GET /flow_runs/{id}`)
and as many `set_state` transitions per mode. Reported: the median over rounds of each round's
median, the ratio to "off", and SQL statements per request (a key's last-use write, once a
minute, aside).
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

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
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


def measure(rounds: int, requests: int) -> None:
    setup = APIClient()
    flow = setup.post("/api/flows/", {"name": "bench-auth"}, format="json").json()
    read_run = setup.post("/api/flow_runs/", {"flow_id": flow["id"]}, format="json").json()
    by_mode = modes()
    names = list(by_mode)
    clients = {}
    for name, (_, header) in by_mode.items():
        clients[name] = APIClient()
        if header:
            clients[name].credentials(HTTP_AUTHORIZATION=header)
    statements = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    medians: dict[tuple[str, str], list[float]] = {}
    sql: dict[tuple[str, str], int] = {}
    for _ in range(rounds):
        times: dict[tuple[str, str], list[float]] = {}
        settings.PREFECT_SERVER_API_AUTH_STRING = ""  # the setup client sends no credential
        runs = {
            name: [
                setup.post("/api/flow_runs/", {"flow_id": flow["id"]}, format="json").json()["id"]
                for _ in range(requests // 2)
            ]
            for name in names
        }
        calls = {
            "read": [("get", f"/api/flow_runs/{read_run['id']}", None)] * requests,
            "set_state": [
                ("post", "/api/flow_runs/{run}/set_state", {"state": {"type": state}})
                for index in range(requests // 2)
                for state in ("PENDING", "RUNNING")
            ],
        }
        for shape, shape_calls in calls.items():
            for index, (method, path, body) in enumerate(shape_calls):
                # One request per mode in turn (rotating who goes first): the modes share
                # whatever the machine is doing at that moment.
                order = names[index % 3 :] + names[: index % 3]
                for name in order:
                    overrides, _ = by_mode[name]
                    for setting, value in overrides.items():
                        setattr(settings, setting, value)
                    target = path.format(run=runs[name][index // 2]) if "{run}" in path else path
                    statements = 0
                    began = time.perf_counter()
                    with connection.execute_wrapper(count):
                        response = getattr(clients[name], method)(target, body, format="json")
                    times.setdefault((name, shape), []).append(time.perf_counter() - began)
                    sql[(name, shape)] = statements
                    assert response.status_code in (200, 201), (target, response.status_code)
        for key, values in times.items():
            medians.setdefault(key, []).append(statistics.median(values))
    print(f"database: {connection.vendor}; {rounds} rounds of {requests} requests per mode")
    for shape in ("read", "set_state"):
        base = statistics.median(medians[("off", shape)])
        for name in names:
            value = statistics.median(medians[(name, shape)])
            print(
                f"{shape:<10} {name:<12} median {1000 * value:6.2f} ms  "
                f"ratio {value / base:4.2f}  SQL/request {sql[(name, shape)]}"
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
