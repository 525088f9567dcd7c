#!/usr/bin/env python
"""Show the SQL behind each read scenario of bench/load.py and its query plans.

    .venv/bin/python bench/explain.py [--analyze] [--only filter,count]
    .venv/bin/python bench/explain.py --analyze --compare "like_,count COMPLETED"

Each request goes through the real URL routing, view and serializer in-process (Django's
test client, against the configured database, no test database), every SQL statement it runs
is captured, then each SELECT is shown with `EXPLAIN` (PostgreSQL: `EXPLAIN (ANALYZE,
BUFFERS)` with --analyze; SQLite: `EXPLAIN QUERY PLAN`). Nothing is written.

`--compare` takes the requests of bench/compare.py's shapes instead (names matched by
substring; `--compare all` for every read shape), with the facts (flows, ids, time range)
looked up in the configured database, which must hold the reference data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import PROD_FINISHED  # noqa: E402 - after the path is set

REQUESTS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "read": ("GET", "/api/flow_runs/{id}", None),
    "filter ID_DESC": ("POST", "/api/flow_runs/filter", {"limit": 200, **PROD_FINISHED}),
    "filter START_TIME_DESC": (
        "POST",
        "/api/flow_runs/filter",
        {"limit": 200, "sort": "START_TIME_DESC", **PROD_FINISHED},
    ),
    "count tags+state": ("POST", "/api/flow_runs/count", PROD_FINISHED),
    "count all": ("POST", "/api/flow_runs/count", {}),
    "paginate page 1": (
        "POST",
        "/api/flow_runs/paginate",
        {"limit": 200, "page": 1, **PROD_FINISHED},
    ),
    "paginate page 50": (
        "POST",
        "/api/flow_runs/paginate",
        {"limit": 200, "page": 50, **PROD_FINISHED},
    ),
}


def compare_requests(database: str, names: str) -> dict[str, tuple[str, str, Any]]:
    """The first request of each chosen read shape of bench/compare.py, for this database."""
    from bench.compare_setup import table_facts
    from bench.compare_shapes import SHAPES, Facts

    found = table_facts(database)
    facts = Facts(**{k: v for k, v in found.items() if k != "runs"})
    wanted = None if names == "all" else names.split(",")
    out = {}
    for shape in SHAPES:
        if shape.write or (wanted and not any(w in shape.name for w in wanted)):
            continue
        call = shape.build(facts)(0)
        out[shape.name] = (
            call.method,
            "/api" + call.path,
            call.body.decode() if call.body else None,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--analyze", action="store_true", help="run the queries (PostgreSQL)")
    parser.add_argument("--only", help="comma list of request names (substring match)")
    parser.add_argument("--compare", help="comma list of bench/compare.py shapes, or all")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from flowruns.models import FlowRun

    run_id = FlowRun.objects.order_by().values_list("id", flat=True).first()
    client = Client()
    wanted = args.only.split(",") if args.only else None
    requests = REQUESTS
    if args.compare:
        requests = compare_requests(connection.settings_dict["NAME"], args.compare)
    for label, (method, path, body) in requests.items():
        if wanted and not any(w in label for w in wanted):
            continue
        captured: list[tuple[str, Any]] = []

        def capture(execute, sql, params, many, context, captured=captured):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(capture):
            if method == "GET":
                response = client.get(path.format(id=run_id))
            else:
                data = body if isinstance(body, str) else json.dumps(body)
                response = client.post(path, data, content_type="application/json")
        elapsed = (time.perf_counter() - started) * 1000
        print("=" * 100)
        print(f"{label}: HTTP {response.status_code}, {len(captured)} queries, {elapsed:.0f} ms")
        for sql, params in captured:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            print("-" * 100)
            print(sql if len(sql) < 1500 else sql[:1500] + " ...")
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    options = "ANALYZE, BUFFERS" if args.analyze else "COSTS"
                    cursor.execute(f"EXPLAIN ({options}) {sql}", params)
                else:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                for row in cursor.fetchall():
                    print("   ", " ".join(str(c) for c in row))


if __name__ == "__main__":
    main()
