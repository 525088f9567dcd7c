"""Real concurrent ingestion on PostgreSQL: the task-run recorder ends with one task run,
one state per distinct event and the newest state current, whatever the interleaving.

Each worker is a thread with its own connection that ingests its own shuffled copy of one
task run's events (with duplicates), one event per transaction as the websocket does; the
workers start together behind a barrier (see `test_races.run_concurrently`).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from events.models import Event, PendingTaskRunEvent
from flowruns.models import FlowRun, TaskRun, TaskRunState
from flowruns.services.flow_runs import flow_run_create
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from tests.events.task_run_events import ingest, task_run_event
from tests.factories import FlowFactory
from tests.flowruns.services.test_races import REPEATS, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 12
T0 = datetime(2026, 12, 6, 2, 13, 19, tzinfo=UTC)
STATES = ("Pending", "Running", "Completed")


def new_flow_run(flow_run_id: uuid.UUID | None = None) -> FlowRun:
    run, _ = flow_run_create(
        flow_id=FlowFactory.create().pk,
        fields={"id": flow_run_id} if flow_run_id else {},
        state=StateProposal(type="RUNNING"),
        call=OrchestrationCall(),
    )
    return run


def reports_of_one_task(flow_run_id: uuid.UUID | None) -> list[dict]:
    """Pending, Running, Completed of one task, reported under two task-run ids (a client
    that lost its id, §6.4), 1 s apart."""
    ids = [uuid.uuid4(), uuid.uuid4()]
    return [
        task_run_event(
            state,
            task_run_id=ids[i % 2],
            flow_run_id=flow_run_id,
            occurred=T0 + timedelta(seconds=i),
            task_key="race",
        )
        for i, state in enumerate(STATES)
    ]


def ingest_shuffled(events: list[dict], seed: int) -> None:
    rng = random.Random(seed)
    mine = events + rng.sample(events, k=2)  # and two duplicates
    rng.shuffle(mine)
    ingest(*mine)


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_racing_reports_of_one_task_make_one_task_run_with_the_newest_state(attempt):
    flow_run = new_flow_run()
    events = reports_of_one_task(flow_run.pk)

    results = run_concurrently(WORKERS, lambda i: ingest_shuffled(events, seed=attempt * 100 + i))

    assert not [r for r in results if isinstance(r, Exception)], results
    (run,) = TaskRun.objects.filter(flow_run=flow_run)
    states = TaskRunState.objects.filter(task_run=run).order_by("timestamp")
    assert [str(s.id) for s in states] == [e["id"] for e in events]
    assert (str(run.state_id), run.state_type) == (events[-1]["id"], "COMPLETED")
    assert run.end_time is not None and run.run_count == 1
    assert Event.objects.filter(pk__in=[e["id"] for e in events]).count() == 3


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_racing_reports_of_a_task_outside_any_flow_run(attempt):
    events = reports_of_one_task(None)

    results = run_concurrently(WORKERS, lambda i: ingest_shuffled(events, seed=attempt * 100 + i))

    assert not [r for r in results if isinstance(r, Exception)], results
    (run,) = TaskRun.objects.filter(task_key="race", flow_run__isnull=True)
    assert TaskRunState.objects.filter(task_run=run).count() == 3
    assert run.state_type == "COMPLETED"


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_reports_racing_the_creation_of_their_flow_run_are_all_recorded(attempt):
    flow_run_id = uuid.uuid4()
    events = reports_of_one_task(flow_run_id)

    def work(i: int) -> None:
        if i == 0:
            new_flow_run(flow_run_id)
        else:
            ingest_shuffled(events, seed=attempt * 100 + i)

    results = run_concurrently(WORKERS, work)
    # An event parked just after the creation looked for parked events waits for the next
    # ingestion of task-run events, which records it.
    ingest(task_run_event("Pending", task_run_id=uuid.uuid4(), flow_run_id=None, occurred=T0))

    assert not [r for r in results if isinstance(r, Exception)], results
    (run,) = TaskRun.objects.filter(flow_run_id=flow_run_id)
    assert TaskRunState.objects.filter(task_run=run).count() == 3
    assert run.state_type == "COMPLETED"
    assert not PendingTaskRunEvent.objects.exists()


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_reports_racing_the_deletion_of_their_flow_run_never_fail(attempt):
    flow_run = new_flow_run()
    events = reports_of_one_task(flow_run.pk)

    def work(i: int) -> object:
        if i == 0:
            return APIClient().delete(f"/api/flow_runs/{flow_run.pk}").status_code
        return ingest_shuffled(events, seed=attempt * 100 + i)

    results = run_concurrently(WORKERS, work)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0] == 204
    assert not FlowRun.objects.filter(pk=flow_run.pk).exists()
    assert not TaskRun.objects.filter(flow_run_id=flow_run.pk).exists()
    assert Event.objects.filter(pk__in=[e["id"] for e in events]).count() == 3
