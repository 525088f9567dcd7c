from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, OuterRef, Subquery

from flowruns.models import Flow, FlowRun, FlowRunState, TaskRun
from logs_app.models import Log

pytestmark = pytest.mark.django_db(transaction=True)


def seed(**options):
    out = StringIO()
    call_command("seed_flow_runs", stdout=out, seed=7, **options, interactive=False)
    return out.getvalue()


def test_seed_flow_runs_fills_a_consistent_demo_database():
    output = seed(runs=300, flows=4, task_runs_per_run=2, logs_per_run=2)

    assert "seeded" in output
    assert FlowRun.objects.count() == 300
    assert Flow.objects.count() == 4
    assert TaskRun.objects.exists()
    assert Log.objects.exists()
    # Every run's current state is its latest state row, and the denormalised fields match.
    latest = FlowRunState.objects.filter(flow_run=OuterRef("pk")).order_by("-timestamp")
    mismatched = FlowRun.objects.annotate(latest=Subquery(latest.values("id")[:1])).exclude(
        state_id=F("latest")
    )
    assert not mismatched.exists()
    for run in FlowRun.objects.select_related("state")[:50]:
        assert run.state_type == run.state.type
        assert run.state_name == run.state.name
        assert run.state_timestamp == run.state.timestamp
    # Runs in many states, not just one.
    assert FlowRun.objects.values("state_type").distinct().count() >= 5
    # No two states of a run share a timestamp.
    dupes = FlowRunState.objects.values("flow_run", "timestamp").annotate(n=Count("id"))
    assert not dupes.filter(n__gt=1).exists()


def test_seeded_runs_are_served_by_the_api(api):
    seed(runs=50, flows=2)
    payload = api.post("/api/flow_runs/paginate", {"limit": 10}, format="json").json()
    assert payload["count"] == 50
    assert all(run["state"]["id"] == run["state_id"] for run in payload["results"])


def test_truncate_replaces_earlier_runs():
    seed(runs=40, flows=2)
    seed(runs=25, flows=2, truncate=True)
    assert FlowRun.objects.count() == 25


def test_invalid_options_are_refused():
    with pytest.raises(SystemExit):
        call_command(
            "seed_flow_runs", runs=-1, stdout=StringIO(), stderr=StringIO(), interactive=False
        )
