"""`bench/sweep_at_scale.py`: making runs due, a full sweep of a registered service, and the
before/during percentiles (the HTTP server part is exercised by running the script)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bench.sweep_at_scale import Samples, report
from bench.sweep_due import make_late_runs_due, make_repossessor_due, service_named, sweep_fully
from flowruns.models import DeploymentConcurrencyLease, FlowRun
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db


def test_lapsed_leases_made_due_are_all_reaped_by_one_full_sweep():
    FlowRunFactory.create_batch(5)

    due = make_repossessor_due(5, timezone.now())
    sweep = sweep_fully(service_named("repossessor"))

    assert due == 5
    assert (sweep["changed"], sweep["failed"], sweep["passes"]) == (5, 0, 2)
    assert not DeploymentConcurrencyLease.objects.exists()


def test_scheduled_runs_made_due_are_an_hour_past_their_time():
    now = timezone.now()
    due = FlowRunFactory.create_batch(
        3, state_type="SCHEDULED", state_name="Scheduled", next_scheduled_start_time=now
    )
    FlowRunFactory.create(state_type="SCHEDULED", state_name="Late")

    assert make_late_runs_due(10, now) == 3

    moved = FlowRun.objects.filter(next_scheduled_start_time=now - timedelta(hours=1))
    assert set(moved.values_list("id", flat=True)) == {run.id for run in due}


def test_an_unknown_service_is_refused_with_the_known_names():
    with pytest.raises(SystemExit, match="repossessor"):
        service_named("no_such_service")


def test_percentiles_are_taken_per_window_and_reported():
    samples = Samples()
    samples.by_kind["read"] = [(float(t), t / 1000) for t in range(1, 101)]
    samples.by_kind["filter"] = [(150.0, 0.5)]

    assert samples.window("read", 1, 51) == {"requests": 50, "p50_ms": 25.0, "p99_ms": 50.0}
    assert samples.window("filter", 0, 100)["requests"] == 0
    api = {
        kind: {"before": samples.window(kind, 0, 51), "during": samples.window(kind, 51, 200)}
        for kind in ("read", "filter")
    }
    text = report(
        {
            "service": "repossessor",
            "due": 5,
            "sweep": {
                "changed": 5,
                "seconds": 0.1,
                "passes": 2,
                "longest_pass_seconds": 0.1,
                "failed": 0,
            },
            "api": api,
            "errors": [],
        }
    )
    assert "swept 5 in 0.10 s (2 passes" in text
    assert "25.0     50.0        75.0    100.0  (50 / 50 requests)" in text
    assert "(50 / 50 requests)" in text and "(0 / 1 requests)" in text
