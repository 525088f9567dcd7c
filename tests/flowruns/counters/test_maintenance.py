"""Every way a flow run is written keeps the counters exact (they are database triggers, so
no write path can skip them): API create, set_state, tag updates, deletes one by one and in
bulk, the retention command, a flow's deletion cascading to its runs, raw queryset updates."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from flowruns.counters.layout import SLOTS_PER_HOUR
from flowruns.models import (
    Flow,
    FlowRun,
    FlowRunCount,
    FlowRunHistoryHour,
    FlowRunHistorySlot,
    FlowRunTagCount,
)
from flowruns.selectors.run_counters.count import counted_runs
from flowruns.selectors.run_counters.shapes import CounterShape
from tests.factories import FlowFactory, FlowRunFactory

from .runs import NOW, assert_counters_exact, make_runs

pytestmark = pytest.mark.django_db


def create(api, flow: Flow, **body) -> str:
    response = api.post("/api/flow_runs/", {"flow_id": str(flow.id), **body}, format="json")
    assert response.status_code == 201
    return response.json()["id"]


def test_backfilled_and_trigger_kept_counts_agree_with_count_star():
    make_runs(120)

    assert_counters_exact()
    assert counted_runs(CounterShape()) == FlowRun.objects.count()


def test_api_create_set_state_and_tag_updates_keep_counters_exact(api):
    flow = FlowFactory.create()
    ids = [create(api, flow, state={"type": "SCHEDULED"}, tags=["team-1"]) for _ in range(3)]
    for run_id in ids[:2]:
        for state in ("PENDING", "RUNNING", "COMPLETED"):
            response = api.post(
                f"/api/flow_runs/{run_id}/set_state", {"state": {"type": state}}, format="json"
            )
            assert response.json()["status"] == "ACCEPT"
    api.patch(f"/api/flow_runs/{ids[2]}", {"tags": ["team-2", "env:prod"]}, format="json")

    assert_counters_exact()
    completed_team_1 = CounterShape(state_types=["COMPLETED"], tag="team-1")
    assert counted_runs(completed_team_1) == 2
    assert counted_runs(CounterShape(tag="team-2")) == 1
    assert counted_runs(CounterShape(tag="team-1", state_types=["SCHEDULED"])) == 0


def test_deletes_one_by_one_in_bulk_and_by_retention_keep_counters_exact(api):
    make_runs(80)
    one = FlowRun.objects.order_by("id").first()
    assert api.delete(f"/api/flow_runs/{one.id}").status_code == 204
    bulk = {"flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}, "limit": 5}
    assert api.post("/api/flow_runs/bulk_delete", bulk, format="json").status_code == 200
    assert_counters_exact()

    call_command(
        "delete_flow_runs",
        "--include-active",
        "--tag",
        "team-1",
        "--batch-size",
        "7",
        "--no-progress",
        stdout=StringIO(),
        interactive=False,
    )

    assert_counters_exact()
    assert counted_runs(CounterShape(tag="team-1")) == 0
    assert counted_runs(CounterShape()) == FlowRun.objects.count() > 0


def test_deleting_a_flow_takes_its_runs_out_of_the_counters(api):
    flows = make_runs(60)

    assert api.delete(f"/api/flows/{flows[0].id}").status_code == 204

    assert_counters_exact()
    assert counted_runs(CounterShape(flow_ids=[flows[0].id])) == 0


def test_raw_queryset_updates_and_odd_values_keep_counters_exact():
    make_runs(60)
    FlowRunFactory.create(tags=["a", 1, None, ["b"]], state_type=None, state_name=None)
    FlowRun.objects.filter(state_type="RUNNING").update(state_type="CRASHED", state_name="Crashed")
    FlowRun.objects.filter(state_type="COMPLETED").update(total_run_time=-5.0)
    FlowRun.objects.filter(state_type="PENDING").update(tags=["moved"], expected_start_time=NOW)
    FlowRun.objects.filter(state_type="FAILED").update(last_heartbeat=NOW)  # not counted

    assert_counters_exact()


@pytest.mark.postgres
def test_truncate_empties_the_counters_too():
    make_runs(20)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in a transaction of its own
        cursor.execute("TRUNCATE flow_run CASCADE")

    assert_counters_exact()
    assert counted_runs(CounterShape()) == 0


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite: PostgreSQL's flush truncates (tested above)"
)
def test_deleting_every_run_after_the_counters_leaves_them_empty():
    """Django's flush deletes table by table, in no fixed order."""
    make_runs(30)
    for model in (FlowRunCount, FlowRunTagCount, FlowRunHistorySlot, FlowRunHistoryHour):
        model.objects.all().delete()

    FlowRun.objects.all().delete()

    assert_counters_exact()
    assert not FlowRunCount.objects.exists()
    assert not FlowRunHistoryHour.objects.exists()


def test_hours_hold_the_sums_of_their_slots():
    make_runs(150)
    FlowRun.objects.filter(state_type="RUNNING").update(total_run_time=7.25)

    def per_hour(model, per_unit):
        totals: dict[tuple, list[int]] = {}
        for row in model.objects.all():
            key = (row.slot // per_unit, row.state_type, row.state_name)
            totals.setdefault(key, [0, 0])
            totals[key][0] += row.n
            totals[key][1] += row.late_us
        return {k: v for k, v in totals.items() if any(v)}

    hours = per_hour(FlowRunHistoryHour, 1)
    assert hours == per_hour(FlowRunHistorySlot, SLOTS_PER_HOUR)
    assert (
        sum(n for n, _ in hours.values())
        == FlowRun.objects.exclude(expected_start_time=None).count()
    )
