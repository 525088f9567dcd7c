"""`seed_flow_runs --profile reference` against a database (SQLite or PostgreSQL)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from flowruns.models import Flow, FlowRun, FlowRunState

pytestmark = pytest.mark.django_db(transaction=True)


def seed(**options):
    out = StringIO()
    call_command(
        "seed_flow_runs", stdout=out, stderr=StringIO(), seed=7, **options, interactive=False
    )
    return out.getvalue()


def test_the_reference_profile_loads_exact_state_counts_over_ten_flows(api):
    seed(runs=1000, profile="reference", anchor="2026-11-22T00:00:00Z")

    counts = dict(FlowRun.objects.values_list("state_type").annotate(n=Count("id")))
    assert counts == {
        "COMPLETED": 600,
        "FAILED": 150,
        "SCHEDULED": 100,
        "CANCELLED": 50,
        "CRASHED": 50,
        "RUNNING": 30,
        "PENDING": 20,
    }
    assert sorted(Flow.objects.values_list("name", flat=True)) == [
        f"seed-flow-{k}" for k in range(10)
    ]
    assert FlowRunState.objects.count() == 1000
    body = {
        "flow_runs": {
            "tags": {"all_": ["team-3"]},
            "state": {"type": {"any_": ["COMPLETED", "FAILED"]}},
        },
        "sort": "EXPECTED_START_TIME_DESC",
        "limit": 200,
    }
    runs = api.post("/api/flow_runs/filter", body, format="json").json()
    assert 40 < len(runs) < 120
    assert all("team-3" in run["tags"] and run["state"]["id"] == run["state_id"] for run in runs)
    times = [run["expected_start_time"] for run in runs]
    assert times == sorted(times, reverse=True)
    assert max(times) <= "2026-11-22T00:00:00"


def test_the_reference_profile_refuses_options_that_shape_other_data():
    for options in ({"flows": 3}, {"states_per_run": 2}, {"logs_per_run": 1}):
        with pytest.raises(SystemExit):
            seed(runs=10, profile="reference", **options)
    with pytest.raises(SystemExit):
        seed(runs=10, anchor="2026-11-22T00:00:00Z")  # the default profile has no anchor
    assert not FlowRun.objects.exists()
