"""The task-run recorder (spec/events.md §6): one task run per reported task, one state per
event, the newest state current, whatever order the events arrive in and however often."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from events.models import Event
from flowruns.models import FlowRun, StateType, TaskRun, TaskRunState
from orchestration.states import STATE_DETAILS_KEYS
from tests.events.task_run_events import (
    CAPTURED,
    CAPTURED_FLOW_RUN_ID,
    CAPTURED_TASK_RUN_ID,
    ingest,
    lifecycle,
    task_run_event,
)
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 6, 2, 13, 19, tzinfo=UTC)


@pytest.fixture
def flow_run() -> FlowRun:
    return FlowRunFactory.create(state_type=StateType.RUNNING, with_state=True)


def task_run_of(flow_run: FlowRun) -> TaskRun:
    (task_run,) = TaskRun.objects.filter(flow_run=flow_run)
    return task_run


def states_of(task_run: TaskRun) -> list[tuple[str, str]]:
    states = TaskRunState.objects.filter(task_run=task_run).order_by("timestamp")
    return [(str(state.id), state.type) for state in states]


def test_the_captured_client_event_records_what_prefect_recorded():
    FlowRunFactory.create(id=CAPTURED_FLOW_RUN_ID, state_type=StateType.RUNNING)

    ingest(CAPTURED)

    run = TaskRun.objects.get()
    assert run.pk == CAPTURED_TASK_RUN_ID
    assert run.flow_run_id == CAPTURED_FLOW_RUN_ID
    assert str(run.state_id) == CAPTURED["id"]
    assert (run.state_type, run.state_name) == ("COMPLETED", "Completed")
    assert run.state_timestamp == datetime(2026, 12, 6, 2, 13, 20, 70503, tzinfo=UTC)
    assert (run.name, run.task_key) == ("add-7a5", "add-e0eadca5")
    assert run.dynamic_key == "7a57c675-cb0d-4910-b75d-975dc369a6a9"
    assert (run.run_count, run.flow_run_run_count, run.total_run_time) == (1, 1, 0.001825)
    assert run.tags == ["db"]
    assert run.task_inputs == {"x": [], "y": []}
    assert run.empirical_policy["max_retries"] == 0
    assert run.expected_start_time == datetime(2026, 12, 6, 2, 13, 19, 571338, tzinfo=UTC)
    assert run.start_time == datetime(2026, 12, 6, 2, 13, 20, 68678, tzinfo=UTC)
    assert run.end_time == datetime(2026, 12, 6, 2, 13, 20, 70503, tzinfo=UTC)
    state = TaskRunState.objects.get()
    assert (str(state.id), state.task_run_id) == (CAPTURED["id"], CAPTURED_TASK_RUN_ID)
    assert (state.type, state.name, state.message, state.data) == (
        "COMPLETED",
        "Completed",
        "",
        None,
    )
    assert state.timestamp == run.state_timestamp
    assert set(state.state_details) == set(STATE_DETAILS_KEYS)  # jsonb keeps no key order
    assert state.state_details["flow_run_id"] == str(CAPTURED_FLOW_RUN_ID)
    assert state.state_details["task_run_id"] == str(CAPTURED_TASK_RUN_ID)
    assert state.state_details["untrackable_result"] is True
    assert state.state_details["pause_reschedule"] is False
    assert Event.objects.filter(pk=CAPTURED["id"]).exists()


def test_pending_running_completed_in_order(flow_run):
    task_run_id = uuid.uuid4()
    events = lifecycle(task_run_id=task_run_id, flow_run_id=flow_run.pk, start=T0)

    ingest(*events)

    run = task_run_of(flow_run)
    assert run.pk == task_run_id
    assert states_of(run) == [(e["id"], e["payload"]["validated_state"]["type"]) for e in events]
    assert str(run.state_id) == events[-1]["id"]
    assert (run.state_type, run.run_count) == ("COMPLETED", 1)
    assert run.end_time == T0 + timedelta(seconds=2)


def final_columns(run: TaskRun) -> tuple:
    return (
        str(run.state_id),
        run.state_type,
        run.state_name,
        run.state_timestamp,
        run.run_count,
        run.start_time,
        run.end_time,
        run.total_run_time,
    )


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_any_arrival_order_ends_with_the_same_task_run(order):
    in_order_run, shuffled_run = (
        FlowRunFactory.create(state_type=StateType.RUNNING) for _ in range(2)
    )
    events = lifecycle(task_run_id=uuid.uuid4(), flow_run_id=in_order_run.pk, start=T0)
    shuffled = lifecycle(task_run_id=uuid.uuid4(), flow_run_id=shuffled_run.pk, start=T0)

    ingest(*events)
    ingest(*(shuffled[i] for i in order))

    expected, got = task_run_of(in_order_run), task_run_of(shuffled_run)
    assert final_columns(got)[1:] == final_columns(expected)[1:]
    assert str(got.state_id) == shuffled[2]["id"]
    assert len(states_of(got)) == 3


def test_reversed_order_keeps_the_completed_state_and_its_columns(flow_run):
    events = lifecycle(task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, start=T0)

    ingest(*reversed(events))

    run = task_run_of(flow_run)
    assert (run.state_type, run.run_count) == ("COMPLETED", 1)  # Pending's 0 came later, older
    assert run.end_time == T0 + timedelta(seconds=2)
    assert len(states_of(run)) == 3


def test_an_older_event_is_kept_in_the_history_but_not_made_current(flow_run):
    task_run_id = uuid.uuid4()
    running = task_run_event(
        "Running", task_run_id=task_run_id, flow_run_id=flow_run.pk, occurred=T0
    )
    pending = task_run_event(
        "Pending",
        task_run_id=task_run_id,
        flow_run_id=flow_run.pk,
        occurred=T0 - timedelta(seconds=1),
    )

    ingest(running, pending)

    run = task_run_of(flow_run)
    assert run.state_type == "RUNNING"
    assert [t for _, t in states_of(run)] == ["PENDING", "RUNNING"]


def test_duplicates_in_one_batch_and_a_resend_after_a_reconnect_change_nothing(flow_run):
    events = lifecycle(task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, start=T0)
    ingest(events[0], events[0], events[1])
    before = task_run_of(flow_run)

    # The client resends what it has not seen acknowledged, then carries on.
    ingest(*events)

    run = task_run_of(flow_run)
    assert len(states_of(run)) == 3
    assert run.state_type == "COMPLETED"
    ingest(*events)
    again = task_run_of(flow_run)
    assert (again.updated, final_columns(again)) == (run.updated, final_columns(run))
    assert before.pk == run.pk


def test_a_second_event_at_the_same_instant_writes_no_state_and_changes_nothing(flow_run):
    task_run_id = uuid.uuid4()
    first = task_run_event("Running", task_run_id=task_run_id, flow_run_id=flow_run.pk, occurred=T0)
    same_instant = task_run_event(
        "Completed", task_run_id=task_run_id, flow_run_id=flow_run.pk, occurred=T0
    )

    ingest(first, same_instant)

    run = task_run_of(flow_run)
    assert states_of(run) == [(first["id"], "RUNNING")]
    assert (str(run.state_id), run.state_type) == (first["id"], "RUNNING")
    assert Event.objects.filter(pk=same_instant["id"]).exists()


def test_an_event_equal_to_the_current_timestamp_is_not_newer(flow_run):
    task_run_id = uuid.uuid4()
    ingest(task_run_event("Running", task_run_id=task_run_id, flow_run_id=flow_run.pk, occurred=T0))
    TaskRunState.objects.all().delete()  # leave only the run's columns to compare against

    ingest(
        task_run_event("Completed", task_run_id=task_run_id, flow_run_id=flow_run.pk, occurred=T0)
    )

    run = task_run_of(flow_run)
    assert run.state_type == "RUNNING"
    assert [t for _, t in states_of(run)] == ["COMPLETED"]


def test_a_task_run_without_a_state_timestamp_takes_any_reported_state(flow_run):
    existing = TaskRun.objects.create(
        flow_run=flow_run, task_key="add-e0eadca5", dynamic_key="0", name="made-by-hand"
    )
    event = task_run_event(
        "Pending", task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, occurred=T0
    )

    ingest(event)

    run = TaskRun.objects.get()
    assert run.pk == existing.pk
    assert (str(run.state_id), run.state_type, run.name) == (event["id"], "PENDING", "add-7a5")


def test_only_the_keys_the_client_sent_overwrite_columns(flow_run):
    task_run_id = uuid.uuid4()
    running = task_run_event(
        "Running",
        task_run_id=task_run_id,
        flow_run_id=flow_run.pk,
        occurred=T0,
        task_version="1.2",
        cache_key="k",
    )
    completed = task_run_event(
        "Completed",
        task_run_id=task_run_id,
        flow_run_id=flow_run.pk,
        occurred=T0 + timedelta(seconds=1),
    )
    completed["payload"]["task_run"]["cache_key"] = None  # a nullable column sent as null

    ingest(running, completed)

    run = task_run_of(flow_run)
    assert (run.task_version, run.cache_key) == ("1.2", None)
    assert run.state_type == "COMPLETED"


def test_state_ids_are_the_event_ids(flow_run):
    events = lifecycle(task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, start=T0)
    ingest(*events)
    assert {str(pk) for pk in TaskRunState.objects.values_list("id", flat=True)} == {
        e["id"] for e in events
    }
    assert all(isinstance(pk, UUID) for pk in TaskRunState.objects.values_list("id", flat=True))
