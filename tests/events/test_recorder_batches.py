"""A batch of task-run events (one socket batch, one transaction) looks each flow run up,
and locks it, once, whatever the number of events reporting its task runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import PendingTaskRunEvent
from events.schemas import EventIn
from events.services.ingest import events_ingest
from flowruns.models import TaskRun
from tests.events.task_run_events import lifecycle
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 6, 2, 13, 19, tzinfo=UTC)


def batch(*runs: tuple[uuid.UUID, int]) -> list[EventIn]:
    """Pending, Running, Completed of `n` task runs of each flow run, as one batch."""
    events = []
    for flow_run_id, count in runs:
        for index in range(count):
            events += lifecycle(
                task_run_id=uuid.uuid4(),
                flow_run_id=flow_run_id,
                start=T0 + timedelta(seconds=10 * index),
                dynamic_key=str(index),
            )
    return [EventIn.model_validate(event) for event in events]


def flow_run_lookups(queries: list[dict[str, str]]) -> list[str]:
    """Statements that read the flow_run table itself (not a subquery of another table's)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and 'FROM "flow_run"' in q["sql"]
        and "pending_task_run_event" not in q["sql"]
    ]


def test_a_batch_of_many_events_for_two_flow_runs_looks_each_up_once():
    first, second = FlowRunFactory.create(), FlowRunFactory.create()
    events = batch((first.pk, 4), (second.pk, 3))

    with CaptureQueriesContext(connection) as captured:
        events_ingest(events)

    assert TaskRun.objects.filter(flow_run=first).count() == 4
    assert TaskRun.objects.filter(flow_run=second).count() == 3
    assert set(TaskRun.objects.values_list("state_type", flat=True)) == {"COMPLETED"}
    assert len(flow_run_lookups(captured.captured_queries)) == 1


def test_in_one_batch_events_of_a_missing_flow_run_wait_and_the_others_are_recorded():
    present, missing = FlowRunFactory.create(), uuid.uuid4()
    events = batch((present.pk, 2), (missing, 1))

    events_ingest(events)

    assert TaskRun.objects.filter(flow_run=present).count() == 2
    assert not TaskRun.objects.exclude(flow_run=present).exists()
    parked = PendingTaskRunEvent.objects.all()
    assert len(parked) == 3
    assert {row.flow_run_id for row in parked} == {missing}
