#!/usr/bin/env python
"""What the run-counter triggers add to each write of `flow_run`, measured by PostgreSQL.

    DATABASE_URL=postgres://... .venv/bin/python bench/counters_trigger_cost.py [--samples 200]

Load on a shared machine hides a fraction of a millisecond in request timings, so this reads
the triggers' own time from `EXPLAIN (ANALYZE)` ("Trigger flow_run_counters_...: time=")
beside the statement's total, for statements shaped like the services': a one-row INSERT of a
run (create) and a one-row UPDATE of its state columns (set_state), on sampled runs of the
seeded database, all inside one transaction that is rolled back. It also counts the INSERT and
UPDATE statements on `flow_run` of one API create and one set_state, so the per-request cost
is the per-statement cost times those counts.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402 - after the path is set

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from flowruns.models import Flow  # noqa: E402

TRIGGER = re.compile(r"Trigger flow_run_counters_\w+: time=([\d.]+)")
TOTAL = re.compile(r"Execution Time: ([\d.]+) ms")


def explain(cursor, sql: str, params: list) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    cursor.execute(f"EXPLAIN (ANALYZE) {sql}", params)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    trigger = sum(float(t) for t in TRIGGER.findall(plan))
    match = TOTAL.search(plan)
    return trigger, float(match.group(1)) if match else 0.0


def statements_per_request() -> tuple[int, int]:
    client = APIClient()
    flow, _ = Flow.objects.get_or_create(name="bench-counters")

    def writes(queries: CaptureQueriesContext) -> int:
        sqls = [q["sql"] for q in queries.captured_queries]
        return sum(s.startswith(('INSERT INTO "flow_run" ', 'UPDATE "flow_run" ')) for s in sqls)

    with CaptureQueriesContext(connection) as created:
        body = {"flow_id": str(flow.id), "state": {"type": "SCHEDULED"}}
        run_id = client.post("/api/flow_runs/", body, format="json").json()["id"]
    with CaptureQueriesContext(connection) as transitioned:
        path = f"/api/flow_runs/{run_id}/set_state"
        client.post(path, {"state": {"type": "PENDING"}}, format="json")
    return writes(created), writes(transitioned)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    inserts: list[tuple[float, float]] = []
    updates: list[tuple[float, float]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        per_create, per_set_state = statements_per_request()
        cursor.execute(
            "SELECT id FROM flow_run WHERE state_type = 'RUNNING' ORDER BY random() LIMIT %s",
            [args.samples],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("CREATE TEMP TABLE bench_run AS SELECT * FROM flow_run LIMIT 0")
        for run_id in ids:
            cursor.execute("TRUNCATE bench_run")
            cursor.execute("INSERT INTO bench_run SELECT * FROM flow_run WHERE id = %s", [run_id])
            fresh = "id = gen_random_uuid(), idempotency_key = NULL, state_id = NULL"
            cursor.execute(f"UPDATE bench_run SET {fresh}")
            inserts.append(explain(cursor, "INSERT INTO flow_run SELECT * FROM bench_run", []))
            updates.append(
                explain(
                    cursor,
                    "UPDATE flow_run SET state_type = 'COMPLETED', state_name = 'Completed',"
                    " state_timestamp = now(), end_time = now(), total_run_time = 42.0"
                    " WHERE id = %s",
                    [run_id],
                )
            )
        transaction.set_rollback(True)
    print(f"flow_run writes per API create: {per_create}, per set_state: {per_set_state}")
    for name, rows in (("INSERT (create)", inserts), ("UPDATE state (set_state)", updates)):
        trigger = statistics.median(t for t, _ in rows)
        total = statistics.median(total for _, total in rows)
        print(
            f"{name:26} trigger median {trigger:.3f} ms of statement median {total:.3f} ms"
            f" (n={len(rows)})"
        )


if __name__ == "__main__":
    main()
