"""Real concurrent schedulers on PostgreSQL (spec/deployments.md §12.2, §12.5): never a
duplicate run, and a schedule edited mid-sweep leaves only runs of the new schedule.

Each worker is a thread with its own connection, released together by a barrier."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from deployments import scheduler
from deployments.services.scheduling import Window, deployment_schedule_runs
from flowruns.models import FlowRun, FlowRunState
from tests.factories import FlowFactory
from tests.flowruns.services.test_races import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FIVE_MINUTES = {"interval": 300, "anchor_date": "2026-01-01T00:00:00Z"}


def _deployment(name: str, schedule: dict[str, Any]) -> dict[str, Any]:
    flow = FlowFactory()
    body = {"name": name, "flow_id": str(flow.id), "schedules": [{"schedule": schedule}]}
    response = APIClient().post("/api/deployments/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _auto_runs() -> list[FlowRun]:
    return list(FlowRun.objects.filter(auto_scheduled=True))


@pytest.mark.parametrize("repeat", range(3))
def test_several_schedulers_at_once_never_duplicate(repeat: int) -> None:
    deployments = [_deployment(f"d{i}", FIVE_MINUTES) for i in range(5)]
    FlowRun.objects.all().delete()  # drop what the create scheduled: race from empty
    now = timezone.now()
    results = run_concurrently(
        8, lambda i: scheduler.sweep(now) if i % 2 else scheduler.sweep_recent(now)
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    runs = _auto_runs()
    keys = Counter(r.idempotency_key for r in runs)
    assert keys and max(keys.values()) == 1
    assert sum(r.changed for r in results) == len(runs)  # every insert counted once
    per_deployment = Counter(str(r.deployment_id) for r in runs)
    assert set(per_deployment) == {d["id"] for d in deployments}
    # Exactly one initial state per run: no run got a second SCHEDULED state from a loser.
    assert FlowRunState.objects.count() == len(runs)


@pytest.mark.parametrize("repeat", range(3))
def test_schedule_edited_mid_sweep_leaves_only_new_schedule_runs(repeat: int) -> None:
    data = _deployment("edited", FIVE_MINUTES)
    FlowRun.objects.all().delete()
    schedule_id = data["schedules"][0]["id"]
    hourly = {"schedule": {"interval": 3600, "anchor_date": "2026-01-01T00:00:00Z"}}
    url = f"/api/deployments/{data['id']}/schedules/{schedule_id}"

    def work(i: int) -> Any:
        if i == 0:
            return APIClient().patch(url, hourly, format="json").status_code
        return deployment_schedule_runs(
            deployment_id=data["id"], window=Window.default(timezone.now())
        )

    results = run_concurrently(6, work)
    assert results[0] == 204, results
    assert not [r for r in results if isinstance(r, Exception)], results
    # Whatever the interleaving, no run of the old five-minute schedule survives the edit
    # except those written after it (which follow the new schedule).
    scheduler.sweep(timezone.now())
    runs = sorted(_auto_runs(), key=lambda r: r.next_scheduled_start_time)
    starts = [r.next_scheduled_start_time for r in runs]
    gaps = {b - a for a, b in itertools.pairwise(starts)}
    assert len(runs) == 3 and gaps == {timezone.timedelta(hours=1)}, starts
    assert max(Counter(r.idempotency_key for r in runs).values()) == 1
