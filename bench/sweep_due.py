"""The in-process half of `sweep_at_scale.py`: making K runs due for a service, and one full
sweep of a service (its passes until one changes nothing). Needs Django set up."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from background.registry import services_all
from background.sweep import Service
from flowruns.models import Deployment, DeploymentConcurrencyLease, Flow, FlowRun

BENCH_DEPLOYMENT = "bench-sweep"


def make_late_runs_due(count: int, now: datetime) -> int:
    """`count` SCHEDULED runs named Scheduled, their scheduled time moved an hour back."""
    runs = FlowRun.objects.filter(state_type="SCHEDULED", state_name="Scheduled")
    ids = list(runs.order_by("id").values_list("id", flat=True)[:count])
    past = now - timedelta(hours=1)
    with transaction.atomic():
        FlowRun.objects.filter(id__in=ids).update(
            next_scheduled_start_time=past, expected_start_time=past
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE flow_run_state s SET state_details = jsonb_set("
                    "s.state_details, '{scheduled_time}', to_jsonb(%s::text)) "
                    "FROM flow_run r WHERE r.state_id = s.id AND r.id = ANY(%s)",
                    [past.isoformat(), ids],
                )
    return len(ids)


def make_repossessor_due(count: int, now: datetime) -> int:
    """`count` lapsed deployment-concurrency leases, on `count` runs of a bench deployment."""
    flow = Flow.objects.order_by("id").first()
    if flow is None:
        raise SystemExit("no flows: seed the database first (manage.py seed_flow_runs)")
    deployment, _ = Deployment.objects.get_or_create(
        flow=flow, name=BENCH_DEPLOYMENT, defaults={"concurrency_limit": count}
    )
    run_ids = list(FlowRun.objects.order_by("id").values_list("id", flat=True)[:count])
    leases = [
        DeploymentConcurrencyLease(
            deployment=deployment,
            flow_run_id=run_id,
            expires_at=now - timedelta(seconds=60 + i % 600),
        )
        for i, run_id in enumerate(run_ids)
    ]
    DeploymentConcurrencyLease.objects.bulk_create(leases, batch_size=5000)
    return len(leases)


DUE_MAKERS: dict[str, Callable[[int, datetime], int]] = {
    "late_runs": make_late_runs_due,
    "repossessor": make_repossessor_due,
}


def service_named(name: str) -> Service:
    services = {service.name: service for service in services_all()}
    if name not in services:
        raise SystemExit(f"unknown service {name!r}; known: {', '.join(sorted(services))}")
    return services[name]


def sweep_fully(service: Service, *, max_passes: int = 10_000) -> dict[str, Any]:
    """Run `service` pass after pass until a pass changes nothing; totals and timings."""
    passes: list[dict[str, Any]] = []
    started_at = time.time()
    started = time.monotonic()
    for _ in range(max_passes):
        began = time.monotonic()
        result = service.run(timezone.now())
        passes.append(
            {
                "examined": result.examined,
                "changed": result.changed,
                "failed": result.failed,
                "seconds": round(time.monotonic() - began, 3),
            }
        )
        if result.changed == 0:
            break
    return {
        "service": service.name,
        "seconds": round(time.monotonic() - started, 3),
        "started_at": started_at,  # wall clock, to line up with the API samples
        "ended_at": time.time(),
        "passes": len(passes),
        "changed": sum(p["changed"] for p in passes),
        "failed": sum(p["failed"] for p in passes),
        "longest_pass_seconds": max(p["seconds"] for p in passes),
    }
