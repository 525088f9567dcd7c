#!/usr/bin/env python
"""CPU per request of the hot routes, in-process (Django's test client, no HTTP server), A/B
across checkouts of this repository on one database, interleaved.

    .venv/bin/python bench/inprocess.py --database-url postgres://postgres@127.0.0.1:5432/x \
        --checkout main=/work/wt/main-copy --checkout new=. [--rounds 5] [--requests 300]

Each round runs every checkout in turn (order alternating between rounds) as a fresh child
process whose imports come from that checkout (`PYTHONPATH`, working directory). The child
migrates nothing (the database must be migrated), makes a flow and runs, then times
`GET /flow_runs/{id}`, `POST /flow_runs/` and `POST /flow_runs/{id}/set_state` (PENDING ->
RUNNING), `--requests` each, and reports process CPU time per request (`time.process_time`,
which leaves out waiting on PostgreSQL and the disk), wall time per request (which does not)
and the SQL statements of one request of each. Reported: the median over rounds per
checkout, and ratios against the first checkout.
CPU time still grows when other processes compete for the cores, which is why the checkouts
are interleaved; compare ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROUTES = ("read", "create", "set_state")


def child(requests: int) -> dict[str, float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # The production settings allow only the bind address's names (not "testserver").
    client = Client(
        HTTP_HOST="127.0.0.1",
        HTTP_X_PREFECT_API_VERSION="0.8.4",
        HTTP_ACCEPT_ENCODING="gzip, deflate",
    )

    def post(path: str, body: dict) -> dict:
        response = client.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 201), response.status_code
        return json.loads(response.getvalue() if not response.get("Content-Encoding") else
                          __import__("gzip").decompress(response.getvalue()))  # fmt: skip

    flow = post("/api/flows/", {"name": "bench-inprocess"})
    create = {"flow_id": flow["id"], "tags": ["bench:inprocess"], "parameters": {"x": 1},
              "state": {"type": "PENDING"}}  # fmt: skip
    read_ids = [post("/api/flow_runs/", create)["id"] for _ in range(20)]
    pending = [post("/api/flow_runs/", create)["id"] for _ in range(requests + 1)]
    calls = {
        "read": lambda i: client.get(f"/api/flow_runs/{read_ids[i % 20]}"),
        "create": lambda i: client.post(
            "/api/flow_runs/", json.dumps(create), content_type="application/json"
        ),
        "set_state": lambda i: client.post(
            f"/api/flow_runs/{pending[i]}/set_state",
            json.dumps({"state": {"type": "RUNNING"}}),
            content_type="application/json",
        ),
    }
    out: dict[str, float] = {}
    for route, call in calls.items():
        for i in range(10):
            call(i % 20) if route != "set_state" else None
        with CaptureQueriesContext(connection) as captured:
            call(requests)
        out[f"{route}_statements"] = len(captured)
        started, started_wall = time.process_time(), time.perf_counter()
        for i in range(requests):
            call(i)
        out[f"{route}_cpu_ms"] = 1000 * (time.process_time() - started) / requests
        out[f"{route}_wall_ms"] = 1000 * (time.perf_counter() - started_wall) / requests
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--checkout", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.requests)))
        return 0
    checkouts = [item.split("=", 1) for item in args.checkout]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.checkouts import Measured, checkout_rounds

    def show(round_no: int, name: str, measured: Measured) -> None:
        cells = "  ".join(
            f"{r} {measured[f'{r}_cpu_ms']:.2f} ms (wall {measured.get(f'{r}_wall_ms', 0):.2f})"
            for r in ROUTES
        )
        print(f"round {round_no} {name:<10} {cells}", flush=True)

    results = checkout_rounds(
        __file__,
        checkouts=args.checkout,
        database_url=args.database_url,
        rounds=args.rounds,
        child_args=["--requests", str(args.requests)],
        show=show,
    )
    base = checkouts[0][0]
    summary = {}
    print(f"\nmedian CPU ms per request (ratio against {base}); SQL statements of one request")
    for name, _ in checkouts:
        row = {}
        for route in ROUTES:
            cpu = statistics.median(m[f"{route}_cpu_ms"] for m in results[name])
            base_cpu = statistics.median(m[f"{route}_cpu_ms"] for m in results[base])
            wall = statistics.median(m.get(f"{route}_wall_ms", 0.0) for m in results[name])
            base_wall = statistics.median(m.get(f"{route}_wall_ms", 0.0) for m in results[base])
            row[route] = {"cpu_ms": round(cpu, 3), "ratio": round(cpu / base_cpu, 3),
                          "wall_ms": round(wall, 3),
                          "wall_ratio": round(wall / base_wall, 3) if base_wall else None,
                          "statements": results[name][-1][f"{route}_statements"]}  # fmt: skip
        summary[name] = row
        print(f"{name:<10} " + "  ".join(
            f"{r} cpu {row[r]['cpu_ms']:.2f} ({row[r]['ratio']:.2f}x) wall {row[r]['wall_ms']:.2f}"
            f" ({row[r]['wall_ratio']}x, {row[r]['statements']} stmts)"
            for r in ROUTES))  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "runs": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
