#!/usr/bin/env python
"""The cost of `POST /flow_runs/{id}/set_state`: wall time and SQL statements per transition.

    DATABASE_URL=postgres://... .venv/bin/python bench/set_state_cost.py [--runs 100]

Runs in-process through the real URL routing, view, service and serializer (DRF's test
client) against a throwaway test database (`test_<name>` on PostgreSQL, in memory on
SQLite), so it measures the server's own work without HTTP. The process CPU time (which on
SQLite includes the database's work) is steadier than wall time on a busy machine. Each run goes
PENDING -> RUNNING -> COMPLETED, so `--runs 100` is 300 transitions. `--without-events`
unregisters the listener that turns each written state into a `prefect.flow-run.<state>`
event, to see what the event costs; `--show-sql` prints the statements of one transition.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402 - after the path is set

django.setup()

from django.db import connection  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

TRANSITIONS = ("PENDING", "RUNNING", "COMPLETED")


def measure(runs: int, show_sql: bool) -> None:
    client = APIClient()
    flow = client.post("/api/flows/", {"name": "bench-set-state"}, format="json").json()
    run_ids = [
        client.post(
            "/api/flow_runs/",
            {"flow_id": flow["id"], "state": {"type": "SCHEDULED"}, "tags": ["bench"]},
            format="json",
        ).json()["id"]
        for _ in range(runs)
    ]
    timings: list[float] = []
    cpu: list[float] = []
    statements = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1
        if show_sql and statements <= 40:
            print(f"  {sql[:150]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        for state_type in TRANSITIONS:
            for run_id in run_ids:
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.post(
                    f"/api/flow_runs/{run_id}/set_state",
                    {"state": {"type": state_type}},
                    format="json",
                )
                timings.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
                assert response.json()["status"] == "ACCEPT", response.json()
    count = len(timings)
    print(f"database: {connection.vendor}")
    print(f"transitions: {count}, total {sum(timings):.2f}s")
    print(f"per transition: mean {1000 * statistics.mean(timings):.2f} ms, ", end="")
    print(f"median {1000 * statistics.median(timings):.2f} ms")
    print(f"server process CPU per transition: median {1000 * statistics.median(cpu):.2f} ms")
    print(f"SQL statements per transition: {statements / count:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--without-events", action="store_true")
    parser.add_argument("--show-sql", action="store_true")
    args = parser.parse_args()
    if args.without_events:
        from flowruns.services import listeners

        listeners._flow_run_state_written.clear()
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        measure(args.runs, args.show_sql)
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()
