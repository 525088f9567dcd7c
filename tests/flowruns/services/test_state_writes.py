"""The one state write (`services.state_writes`) and its users: orchestration, the
reported-task-run service, and the listeners told of what they wrote."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from django.db import IntegrityError, transaction

from events.models import Event
from flowruns.models import FlowRun, StateType, TaskRun, TaskRunState
from flowruns.services import listeners
from flowruns.services.flow_runs import flow_run_create
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.reported_task_runs import Recorded, TaskRunReport, task_run_record_report
from flowruns.services.run_kinds import FLOW_RUNS, TASK_RUNS
from flowruns.services.state_writes import run_record_state, state_row_insert
from flowruns.services.states import flow_run_set_state
from orchestration.states import State, new_state
from tests.conftest import on_postgres
from tests.factories import FlowFactory, FlowRunFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def state_at(moment: datetime, state_type: StateType = StateType.RUNNING) -> State:
    return new_state(state_type, timestamp=moment)


def test_a_state_row_is_inserted_once_by_id_and_once_per_run_and_timestamp():
    task_run = TaskRunFactory.create()
    state = state_at(T0)

    assert state_row_insert(TASK_RUNS, task_run, state) is not None
    assert state_row_insert(TASK_RUNS, task_run, state) is None  # same id
    assert state_row_insert(TASK_RUNS, task_run, state_at(T0)) is None  # same instant
    assert state_row_insert(TASK_RUNS, task_run, state_at(T0 + timedelta(microseconds=1)))
    assert TaskRunState.objects.filter(task_run=task_run).count() == 2


def test_the_inserted_row_reads_back_as_it_was_written():
    run = FlowRunFactory.create()
    state = new_state(
        StateType.SCHEDULED, timestamp=T0, message="later", scheduled_time=T0 + timedelta(1)
    )

    row = state_row_insert(FLOW_RUNS, run, state)

    stored = type(row).objects.get(pk=state.id)
    assert (stored.type, stored.name, stored.timestamp, stored.message) == (
        "SCHEDULED",
        "Scheduled",
        T0,
        "later",
    )
    assert stored.state_details == row.state_details
    assert stored.state_details["scheduled_time"] == "2026-12-07T02:00:00Z"
    assert (stored.created, stored.updated) == (row.created, row.created)


def test_a_state_not_made_current_leaves_the_run_alone():
    task_run = TaskRunFactory.create(state_type=None)

    assert run_record_state(
        TASK_RUNS, task_run, state_at(T0), make_current=False, run_updates={"name": "x"}
    )

    task_run.refresh_from_db()
    assert (task_run.state_id, task_run.state_type) == (None, None)
    assert task_run.name != "x"
    assert TaskRunState.objects.filter(task_run=task_run).count() == 1


def test_a_state_made_current_moves_the_pointer_and_columns_in_one_update(
    django_assert_num_queries,
):
    task_run = TaskRunFactory.create()
    state = state_at(T0)

    # INSERT the state, UPDATE the run: one statement on PostgreSQL (a data-modifying CTE)
    with django_assert_num_queries(1 if on_postgres() else 2):
        run_record_state(
            TASK_RUNS, task_run, state, make_current=True, run_updates={"run_count": 3}
        )

    task_run.refresh_from_db()
    assert (task_run.state_id, task_run.state_type, task_run.state_name) == (
        state.id,
        "RUNNING",
        "Running",
    )
    assert (task_run.state_timestamp, task_run.run_count) == (T0, 3)


def test_a_state_made_current_that_exists_already_changes_neither_the_run_nor_its_row():
    task_run = TaskRunFactory.create()
    first = state_at(T0)
    assert run_record_state(TASK_RUNS, task_run, first, make_current=True)
    resent = dataclasses.replace(first, name="Resent")  # same id: a conflict

    wrote = run_record_state(
        TASK_RUNS, task_run, resent, make_current=True, run_updates={"run_count": 7}
    )

    assert wrote is False
    assert (task_run.state_name, task_run.run_count) == ("Running", 0)
    task_run.refresh_from_db()
    assert (task_run.state_id, task_run.state_name, task_run.run_count) == (
        first.id,
        "Running",
        0,
    )
    assert TaskRunState.objects.filter(task_run=task_run).count() == 1


def test_orchestration_treats_a_state_id_already_taken_as_an_error(monkeypatch):
    run, _ = flow_run_create(
        flow_id=FlowFactory.create().pk,
        fields={},
        state=StateProposal(type="PENDING"),
        call=OrchestrationCall(),
    )
    taken = run.state_id
    monkeypatch.setattr("orchestration.states.uuid7", lambda: taken)

    with pytest.raises(IntegrityError, match="already written"), transaction.atomic():
        flow_run_set_state(
            flow_run_id=run.pk, state=StateProposal(type="RUNNING"), call=OrchestrationCall()
        )


def report(task_run_id, flow_run_id, moment, **fields) -> TaskRunReport:
    return TaskRunReport(
        task_run_id=task_run_id,
        flow_run_id=flow_run_id,
        task_key="k",
        dynamic_key="0",
        fields={"task_key": "k", "dynamic_key": "0", **fields},
        state=state_at(moment),
    )


def test_a_report_is_recorded_once_and_a_resent_one_is_a_duplicate():
    flow_run = FlowRunFactory.create()
    first = report(uuid4(), flow_run.pk, T0)

    assert task_run_record_report(first) is Recorded.RECORDED
    assert task_run_record_report(first) is Recorded.DUPLICATE
    assert TaskRunState.objects.count() == 1


def test_a_report_for_a_missing_flow_run_writes_nothing():
    assert task_run_record_report(report(uuid4(), uuid4(), T0)) is Recorded.FLOW_RUN_MISSING
    assert not TaskRun.objects.exists()


def test_a_report_never_changes_the_keys_a_row_was_found_by():
    flow_run = FlowRunFactory.create()
    task_run_id = uuid4()
    task_run_record_report(report(task_run_id, flow_run.pk, T0))
    moved = TaskRunReport(
        task_run_id=task_run_id,
        flow_run_id=flow_run.pk,
        task_key="other",
        dynamic_key="1",
        fields={"task_key": "other", "dynamic_key": "1", "name": "renamed"},
        state=state_at(T0 + timedelta(seconds=1)),
    )

    assert task_run_record_report(moved) is Recorded.RECORDED

    run = TaskRun.objects.get()
    assert (run.pk, run.task_key, run.dynamic_key, run.name) == (task_run_id, "k", "0", "renamed")


def test_a_failing_listener_rolls_the_write_back():
    run = FlowRunFactory.create(state_type="PENDING", with_state=True)

    def refuse(*args: object) -> None:
        raise RuntimeError("listener failed")

    listeners.listen_flow_run_state_written(refuse)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            flow_run_set_state(
                flow_run_id=run.pk, state=StateProposal(type="RUNNING"), call=OrchestrationCall()
            )
    finally:
        listeners._flow_run_state_written.remove(refuse)

    assert FlowRun.objects.get(pk=run.pk).state_type == "PENDING"
    assert not Event.objects.exists()


def test_new_flow_run_listeners_run_inside_the_creating_transaction():
    flow = FlowFactory.create()

    def refuse(flow_run: FlowRun) -> None:
        assert FlowRun.objects.filter(pk=flow_run.pk).exists()  # inserted, not committed
        raise RuntimeError("listener failed")

    listeners.listen_flow_run_created(refuse)
    try:
        # The service takes no savepoint of its own: a caller that goes on after a failure
        # (here, the test's transaction) takes one.
        with pytest.raises(RuntimeError), transaction.atomic():
            flow_run_create(
                flow_id=flow.pk,
                fields={"id": uuid4()},
                state=StateProposal(type="PENDING"),
                call=OrchestrationCall(),
            )
    finally:
        listeners._flow_run_created.remove(refuse)

    assert not FlowRun.objects.filter(flow=flow).exists()
    assert not Event.objects.exists()


def test_a_flow_run_whose_id_the_server_generates_is_not_announced():
    # Nothing can refer to an id nobody has seen: no look for parked task-run events.
    heard: list[FlowRun] = []
    listeners.listen_flow_run_created(heard.append)
    try:
        flow = FlowFactory.create()
        call = OrchestrationCall()
        pending = StateProposal(type="PENDING")
        flow_run_create(flow_id=flow.pk, fields={}, state=pending, call=call)
        given, _ = flow_run_create(
            flow_id=flow.pk, fields={"id": uuid4()}, state=pending, call=call
        )
    finally:
        listeners._flow_run_created.remove(heard.append)

    assert heard == [given]
