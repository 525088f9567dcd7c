#!/usr/bin/env python
"""N workers polling one work pool that holds M scheduled runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_polls \\
    .venv/bin/python bench/worker_polls.py --migrate --runs 100000 --workers 50 [--json out.json]

1. Creates a process pool and M SCHEDULED runs in its default queue (bulk insert, due now).
2. Starts N threads, each with its own database connection, that poll
   `POST /api/work_pools/{name}/get_scheduled_flow_runs` through the full request path
   (DRF's in-process client: body parsing, the view, the claim, the JSON answer) with the body
   the 3.8.8 worker sends (`work_queue_names: []`, `scheduled_before`, default limit 200),
   then do what a worker does with each answer: take the runs out of SCHEDULED (simulated
   with one bulk UPDATE to PENDING per poll instead of one `set_state` per run, which is
   measured elsewhere), until a poll comes back empty.
3. Reports poll latency p50/p99/max, runs handed out per second, and checks that no run was
   handed to two workers and that every run was handed out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from flowruns.models import Flow, FlowRun  # noqa: E402
from work_pools.services.pools import work_pool_create  # noqa: E402

BATCH = 5000


def seed(pool_name: str, runs: int) -> None:
    pool = work_pool_create(name=pool_name, type="process")
    flow = Flow.objects.create(name=f"{pool_name}-flow")
    due = timezone.now() - timedelta(minutes=5)
    for start in range(0, runs, BATCH):
        FlowRun.objects.bulk_create(
            FlowRun(
                flow=flow,
                name=f"r{i}",
                work_queue_id=pool.default_queue_id,
                state_type="SCHEDULED",
                state_name="Scheduled",
                expected_start_time=due,
                next_scheduled_start_time=due + timedelta(microseconds=i),
            )
            for i in range(start, min(runs, start + BATCH))
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE flow_run")


def worker(
    pool_name: str, limit: int | None, out: dict[str, list], start: threading.Barrier
) -> None:
    api = APIClient(SERVER_NAME="127.0.0.1")
    latencies: list[float] = []
    handed: list[str] = []
    try:
        start.wait(60)
        while True:
            body: dict[str, object] = {
                "work_queue_names": [],
                "scheduled_before": str(timezone.now() + timedelta(seconds=10)),
            }
            if limit is not None:
                body["limit"] = limit
            began = time.perf_counter()
            response = api.post(
                f"/api/work_pools/{pool_name}/get_scheduled_flow_runs", body, format="json"
            )
            latencies.append(time.perf_counter() - began)
            assert response.status_code == 200, response.content[:500]
            ids = [item["flow_run"]["id"] for item in response.json()]
            if not ids:
                break
            handed += ids
            FlowRun.objects.filter(pk__in=ids).update(state_type="PENDING", state_name="Pending")
    finally:
        connections.close_all()
    out["latencies"] += latencies
    out["handed"] += handed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--limit", type=int, default=None, help="poll limit (default: 200)")
    parser.add_argument("--migrate", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.migrate:
        call_command("migrate", verbosity=0)
    pool_name = f"bench-polls-{time.time_ns()}"
    began = time.perf_counter()
    seed(pool_name, args.runs)
    seed_seconds = time.perf_counter() - began
    connections.close_all()

    out: dict[str, list] = {"latencies": [], "handed": []}
    barrier = threading.Barrier(args.workers)
    threads = [
        threading.Thread(target=worker, args=(pool_name, args.limit, out, barrier))
        for _ in range(args.workers)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began

    counts = Counter(out["handed"])
    lat = out["latencies"]
    report = {
        "database": connection.vendor,
        "runs": args.runs,
        "workers": args.workers,
        "poll_limit": args.limit or 200,
        "seed_seconds": round(seed_seconds, 1),
        "polls": len(lat),
        "poll_p50_ms": round(percentile(lat, 0.50) * 1000, 1),
        "poll_p99_ms": round(percentile(lat, 0.99) * 1000, 1),
        "poll_max_ms": round(max(lat) * 1000, 1),
        "seconds": round(seconds, 1),
        "runs_handed_out": len(counts),
        "runs_per_second": round(len(counts) / seconds, 1),
        "handed_twice": sum(1 for n in counts.values() if n > 1),
        "all_handed_out": len(counts) == args.runs,
        "mean_runs_per_nonempty_poll": round(
            len(out["handed"]) / max(1, len(lat) - args.workers), 1
        ),
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["handed_twice"] == 0 and report["all_handed_out"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
