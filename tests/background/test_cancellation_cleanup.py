"""The cancellation-cleanup service: children of cancelled runs are cancelled, and runs stuck in
CANCELLING past the timeout are cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from background.sweeps import cancellation_cleanup
from flowruns.models import TaskRun, TaskRunState
from tests.factories import DeploymentFactory

from .helpers import T0, current, events_named, propose, run_create

pytestmark = pytest.mark.django_db

PARENT_CANCELLED = "The parent flow run was cancelled."
TIMED_OUT = "Flow run cancellation timed out; marked this flow run as Cancelled."


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return cancellation_cleanup.sweep(moment)


def task_run_create(api, flow_run_id: str, state_type: str, key: str = "t") -> str:
    body = {
        "flow_run_id": flow_run_id,
        "task_key": key,
        "dynamic_key": "0",
        "state": {"type": state_type},
    }
    response = api.post("/api/task_runs/", body, format="json")
    assert response.status_code == 201, response.json()
    return str(response.json()["id"])


def task_state(task_run_id: str) -> TaskRunState:
    state = TaskRun.objects.select_related("state").get(pk=task_run_id).state
    assert state is not None
    return state


def cancel(api, run_id: str) -> None:
    propose(api, run_id, {"type": "CANCELLED"}, force=True)


def subflow(api, parent_id: str, state_type: str = "RUNNING", **body) -> str:
    placeholder = task_run_create(api, parent_id, "RUNNING", key=f"sub-{state_type}-{len(body)}")
    return run_create(api, {"type": state_type}, parent_task_run_id=placeholder, **body)


# --- task runs ---------------------------------------------------------------------------


def test_open_task_runs_of_a_cancelled_run_are_cancelled(api):
    with time_machine.travel(T0, tick=False):
        parent = run_create(api, {"type": "RUNNING"})
        running = task_run_create(api, parent, "RUNNING", key="a")
        pending = task_run_create(api, parent, "PENDING", key="b")
        done = task_run_create(api, parent, "COMPLETED", key="c")
        cancel(api, parent)

    result = sweep_at(T0 + timedelta(seconds=20))

    for task_run_id in (running, pending):
        state = task_state(task_run_id)
        assert (state.type, state.name, state.message) == (
            "CANCELLED",
            "Cancelled",
            PARENT_CANCELLED,
        )
        assert state.actor == "service:cancellation_cleanup"
    assert task_state(done).type == "COMPLETED"
    assert (result.changed, result.failed) == (2, 0)


def test_task_runs_of_a_run_cancelled_over_a_day_ago_are_not_revisited(api):
    with time_machine.travel(T0, tick=False):
        parent = run_create(api, {"type": "RUNNING"})
        task_run_id = task_run_create(api, parent, "RUNNING")
        cancel(api, parent)

    sweep_at(T0 + timedelta(days=1, seconds=1))

    assert task_state(task_run_id).type == "RUNNING"


def test_task_runs_of_a_running_run_are_left_alone(api):
    parent = run_create(api, {"type": "RUNNING"})
    task_run_id = task_run_create(api, parent, "RUNNING")

    result = sweep_at(T0)

    assert task_state(task_run_id).type == "RUNNING"
    assert result.examined == 0


# --- subflows ----------------------------------------------------------------------------


def test_a_subflow_without_a_deployment_is_cancelled_with_its_parent(api):
    parent = run_create(api, {"type": "RUNNING"})
    child = subflow(api, parent)
    cancel(api, parent)

    sweep_at(T0)

    state = current(child)
    assert (state.type, state.name, state.message) == ("CANCELLED", "Cancelled", PARENT_CANCELLED)
    assert len(events_named("prefect.flow-run.Cancelled", child)) == 1


def test_a_deployed_subflow_goes_to_cancelling_for_its_worker(api):
    deployment = DeploymentFactory.create()
    parent = run_create(api, {"type": "RUNNING"})
    child = subflow(api, parent, flow_id=str(deployment.flow_id), deployment_id=str(deployment.id))
    cancel(api, parent)

    first = sweep_at(T0)
    again = sweep_at(T0 + timedelta(seconds=20))

    state = current(child)
    assert (state.type, state.name, state.message) == (
        "CANCELLING",
        "Cancelling",
        PARENT_CANCELLED,
    )
    assert first.changed >= 1
    assert again.changed == 0


def test_a_subflow_of_a_live_parent_is_left_alone(api):
    parent = run_create(api, {"type": "RUNNING"})
    child = subflow(api, parent)

    result = sweep_at(T0)

    assert current(child).type == "RUNNING"
    assert result.examined == 0


def test_cancellation_goes_down_one_level_per_pass(api):
    parent = run_create(api, {"type": "RUNNING"})
    child = subflow(api, parent)
    grandchild = subflow(api, child)
    cancel(api, parent)

    sweep_at(T0)
    assert (current(child).type, current(grandchild).type) == ("CANCELLED", "RUNNING")
    sweep_at(T0 + timedelta(seconds=20))
    assert current(grandchild).type == "CANCELLED"


# --- runs stuck in CANCELLING -----------------------------------------------------------


def cancelling_run(api) -> str:
    with time_machine.travel(T0 - timedelta(minutes=1), tick=False):
        run_id = run_create(api, {"type": "RUNNING"})
    with time_machine.travel(T0, tick=False):
        assert propose(api, run_id, {"type": "CANCELLING"})["status"] == "ACCEPT"
    return run_id


def test_a_run_cancelling_longer_than_the_timeout_is_cancelled(api):
    run_id = cancelling_run(api)

    early = sweep_at(T0 + timedelta(seconds=300) - timedelta(microseconds=1))
    assert current(run_id).type == "CANCELLING"
    on_time = sweep_at(T0 + timedelta(seconds=300))

    state = current(run_id)
    assert (state.type, state.name, state.message) == ("CANCELLED", "Cancelled", TIMED_OUT)
    assert (early.examined, on_time.changed) == (0, 1)
    assert len(events_named("prefect.flow-run.Cancelled", run_id)) == 1


def test_the_cancelling_timeout_comes_from_prefects_setting(api, settings):
    settings.PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_CANCELLING_TIMEOUT_SECONDS = "10"
    run_id = cancelling_run(api)

    sweep_at(T0 + timedelta(seconds=10))

    assert (current(run_id).type, current(run_id).message) == ("CANCELLED", TIMED_OUT)


def test_a_run_that_finished_cancelling_is_left_alone(api):
    run_id = cancelling_run(api)
    propose(api, run_id, {"type": "CANCELLED"})

    result = sweep_at(T0 + timedelta(hours=1))

    assert current(run_id).message is None
    assert result.examined == 0
