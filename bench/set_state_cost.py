#!/usr/bin/env python
"""The cost of `POST /flow_runs/{id}/set_state`: wall time and SQL statements per transition.

    DATABASE_URL=postgres://... .venv/bin/python bench/set_state_cost.py [--runs 100]

Runs in-process through the real URL routing, view, service and serializer (DRF's test
client) against a throwaway test database (`test_<name>` on PostgreSQL, in memory on
SQLite), so it measures the server's own work without HTTP. Each run goes
PENDING -> RUNNING -> COMPLETED, so `--runs 100` is 300 transitions.
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
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

TRANSITIONS = ("PENDING", "RUNNING", "COMPLETED")


def measure(runs: int) -> None:
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
    with CaptureQueriesContext(connection) as queries:
        for state_type in TRANSITIONS:
            for run_id in run_ids:
                began = time.perf_counter()
                response = client.post(
                    f"/api/flow_runs/{run_id}/set_state",
                    {"state": {"type": state_type}},
                    format="json",
                )
                timings.append(time.perf_counter() - began)
                assert response.json()["status"] == "ACCEPT", response.json()
    count = len(timings)
    print(f"database: {connection.vendor}")
    print(f"transitions: {count}, total {sum(timings):.2f}s")
    print(f"per transition: mean {1000 * statistics.mean(timings):.2f} ms, ", end="")
    print(f"median {1000 * statistics.median(timings):.2f} ms")
    print(f"SQL statements per transition: {len(queries.captured_queries) / count:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        measure(args.runs)
    finally:
        runner.teardown_databases(old_config)


if __name__ == "__main__":
    main()
