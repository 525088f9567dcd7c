#!/usr/bin/env python
"""One pass of the scheduler service over N deployments with schedules.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sched \\
    .venv/bin/python bench/scheduler_sweep.py --deployments 1000 [--json out.json]

1. Creates (in the database DATABASE_URL names; it must exist and be migrated, or use
   `--migrate`) one flow and N deployments, each with one hourly interval schedule, written
   directly through the ORM (not the API, so no run is scheduled yet).
2. Times one `deployments.scheduler.sweep(now)` (the main loop's pass: page through the
   deployments, find those short of runs, create their runs through the flow-run create
   path with idempotency keys) and reports the runs created per second.
3. Times a second pass over the same deployments (nothing to do: the "short of runs" check
   only), which is the steady-state cost of every 60 s loop.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from deployments import scheduler  # noqa: E402
from flowruns.models import Deployment, DeploymentSchedule, Flow, FlowRun  # noqa: E402

HOURLY = {"interval": 3600.0, "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"}


def seed(count: int) -> None:
    flow = Flow.objects.create(name=f"bench-scheduler-{time.time_ns()}")
    deployments = Deployment.objects.bulk_create(
        Deployment(flow=flow, name=f"d{i}", parameter_openapi_schema={}, pull_steps=[])
        for i in range(count)
    )
    DeploymentSchedule.objects.bulk_create(
        DeploymentSchedule(deployment=d, schedule=HOURLY) for d in deployments
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deployments", type=int, default=1000)
    parser.add_argument("--migrate", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.migrate:
        call_command("migrate", verbosity=0)
    runs_before = FlowRun.objects.count()
    seed(args.deployments)
    now = timezone.now()  # both passes at one instant: the second has nothing to add
    began = time.perf_counter()
    first = scheduler.sweep(now)
    first_seconds = time.perf_counter() - began
    began = time.perf_counter()
    second = scheduler.sweep(now)
    second_seconds = time.perf_counter() - began
    created = FlowRun.objects.count() - runs_before
    report = {
        "database": connection.vendor,
        "deployments": args.deployments,
        "first_pass_seconds": round(first_seconds, 2),
        "runs_created": created,
        "runs_per_second": round(created / first_seconds, 1),
        "first_pass_changed": first.changed,
        "first_pass_failed": first.failed,
        "second_pass_seconds": round(second_seconds, 2),
        "second_pass_changed": second.changed,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if first.failed == 0 and second.changed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
