"""The scheduler services (spec/deployments.md §12.2-12.5)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from background.registry import services_all
from deployments import scheduler
from flowruns.models import Deployment, FlowRun

pytestmark = pytest.mark.django_db
HOURLY = {"interval": 3600.0, "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"}


def _auto_runs(deployment_id: str) -> list[FlowRun]:
    return list(
        FlowRun.objects.filter(deployment_id=deployment_id, auto_scheduled=True).order_by(
            "next_scheduled_start_time"
        )
    )


def test_both_loops_are_registered() -> None:
    names = {s.name for s in services_all()}
    assert {"scheduler", "recent_deployments_scheduler"} <= names


def test_main_loop_schedules_three_hourly_runs_as_prefect_writes_them(create: Any) -> None:
    data = create(schedules=[{"schedule": HOURLY, "parameters": {"n": 5}}])
    now = timezone.now()
    result = scheduler.sweep(now)
    assert result.changed == 3
    runs = _auto_runs(data["id"])
    assert len(runs) == 3
    run = runs[0]
    schedule_id = data["schedules"][0]["id"]
    assert run.tags == ["auto-scheduled", "s"]
    assert run.parameters == {"name": "srv", "n": 5}
    assert run.created_by == {"id": schedule_id, "type": "SCHEDULE",
                              "display_value": "IntervalSchedule"}  # fmt: skip
    assert run.state_type == "SCHEDULED" and run.state_name == "Scheduled"
    assert run.state.message == "Flow run scheduled"
    assert run.next_scheduled_start_time >= now
    local = run.next_scheduled_start_time.astimezone(UTC)
    assert run.idempotency_key == f"scheduled {data['id']} {schedule_id} {local}"
    assert run.labels["prefect.deployment.id"] == data["id"]
    # Idempotent: a second pass (or another process) adds nothing.
    assert scheduler.sweep(now).changed == 0
    assert len(_auto_runs(data["id"])) == 3


def test_five_minute_schedule_covers_the_next_hour(create: Any) -> None:
    data = create(
        schedules=[{"schedule": {"interval": 300, "anchor_date": "2026-01-01T00:00:00Z"}}]
    )
    scheduler.sweep(timezone.now())
    assert len(_auto_runs(data["id"])) in (12, 13)


def test_paused_and_inactive_are_skipped(create: Any, api: APIClient) -> None:
    paused = create(name="p", paused=True, schedules=[{"schedule": HOURLY}])
    inactive = create(name="i", schedules=[{"schedule": HOURLY, "active": False}])
    scheduler.sweep(timezone.now())
    assert _auto_runs(paused["id"]) == [] and _auto_runs(inactive["id"]) == []


def test_recent_loop_only_sees_recently_updated(create: Any) -> None:
    data = create(schedules=[{"schedule": HOURLY}])
    later = timezone.now() + timedelta(minutes=5)
    assert scheduler.sweep_recent(later).changed == 0
    assert scheduler.sweep_recent(timezone.now()).changed == 3
    assert len(_auto_runs(data["id"])) == 3


def test_no_backfill_of_the_past(create: Any) -> None:
    data = create(schedules=[{"schedule": HOURLY}])
    now = timezone.now()
    scheduler.sweep(now)
    assert all(r.next_scheduled_start_time >= now for r in _auto_runs(data["id"]))


def test_schedule_patch_rebuilds_future_runs(create: Any, api: APIClient) -> None:
    data = create(schedules=[{"schedule": HOURLY}])
    scheduler.sweep(timezone.now())
    sid = data["schedules"][0]["id"]
    every_two = {"schedule": {"interval": 7200, "anchor_date": "2026-01-01T00:00:00Z"}}
    url = f"/api/deployments/{data['id']}/schedules/{sid}"
    assert api.patch(url, every_two, format="json").status_code == 204
    assert _auto_runs(data["id"]) == []
    scheduler.sweep(timezone.now())
    runs = _auto_runs(data["id"])
    assert len(runs) == 3
    gaps = {
        b.next_scheduled_start_time - a.next_scheduled_start_time
        for a, b in itertools.pairwise(runs)
    }
    assert gaps == {timedelta(hours=2)}


def test_cron_in_a_timezone_keys_on_local_time(create: Any) -> None:
    cron = {"cron": "0 22 * * *", "timezone": "America/New_York"}
    data = create(schedules=[{"schedule": cron, "slug": "nightly"}])
    scheduler.sweep(datetime(2026, 12, 5, 12, tzinfo=UTC))
    run = _auto_runs(data["id"])[0]
    assert run.idempotency_key.endswith(" 2026-12-05 22:00:00-05:00")
    assert run.created_by["display_value"] == "nightly"
    assert Deployment.objects.get(pk=data["id"]).paused is False
