"""The one state-write path, driven through its service entry points (no HTTP).

Flow runs and task runs go through the same code; each test runs for both kinds where the
behaviour is shared, with the kind's own entry points (`flow_run_set_state`,
`task_run_set_state`) and creation services.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock
from uuid import uuid4

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from flowruns.errors import ObjectNotFound
from flowruns.models import FlowRun, FlowRunState, TaskRun, TaskRunState
from flowruns.services.flow_runs import flow_run_create
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.policies import policy_for
from flowruns.services.states import flow_run_set_state, task_run_set_state
from flowruns.services.task_runs import task_run_create
from orchestration.policies import CoreFlowPolicy, CoreTaskPolicy
from tests.factories import FlowFactory
from tests.orchestration.plugins.frozen_policy import FrozenAwarePolicy

pytestmark = pytest.mark.django_db

CALL = OrchestrationCall()
FROZEN = "tests.orchestration.plugins.frozen_policy.FrozenAwarePolicy"
KINDS = ["flow run", "task run"]


def create_flow_run(state_type: str = "PENDING", tags: list[str] | None = None) -> FlowRun:
    run, created = flow_run_create(
        flow_id=FlowFactory.create().id,
        fields={"tags": tags or []},
        state=StateProposal(type=state_type),
        call=CALL,
    )
    assert created
    return run


def create_task_run(state_type: str = "PENDING", flow_run_state: str = "RUNNING") -> TaskRun:
    run, created = task_run_create(
        flow_run_id=create_flow_run(flow_run_state).pk,
        task_key="task",
        dynamic_key="0",
        fields={},
        state=StateProposal(type=state_type),
        call=CALL,
    )
    assert created
    return run


def create_run(kind: str, state_type: str = "PENDING") -> FlowRun | TaskRun:
    return create_flow_run(state_type) if kind == "flow run" else create_task_run(state_type)


def set_state(kind: str, run_id, state_type: str, *, force: bool = False):
    proposal = StateProposal(type=state_type)
    if kind == "flow run":
        return flow_run_set_state(flow_run_id=run_id, state=proposal, force=force, call=CALL)
    return task_run_set_state(task_run_id=run_id, state=proposal, force=force, call=CALL)


def history(run: FlowRun | TaskRun) -> list[tuple[str, object]]:
    states = (
        FlowRunState.objects.filter(flow_run=run)
        if isinstance(run, FlowRun)
        else TaskRunState.objects.filter(task_run=run)
    )
    return list(states.order_by("timestamp").values_list("type", "timestamp"))


@pytest.mark.parametrize("kind", KINDS)
def test_an_accepted_proposal_writes_the_state_and_the_run_bookkeeping(kind):
    run = create_run(kind)
    outcome = set_state(kind, run.pk, "RUNNING")
    assert (outcome.status, outcome.written) == ("ACCEPT", True)
    assert outcome.state is not None and outcome.state.type == "RUNNING"
    run.refresh_from_db()
    assert (run.state_type, run.state_name, run.run_count) == ("RUNNING", "Running", 1)
    assert run.start_time is not None
    assert run.state_id == outcome.state.id
    assert [state_type for state_type, _ in history(run)] == ["PENDING", "RUNNING"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_proposal_writes_nothing_and_answers_with_the_current_state(kind):
    run = create_run(kind, "COMPLETED")
    outcome = set_state(kind, run.pk, "CRASHED")  # a finished run cannot crash
    assert (outcome.status, outcome.written) == ("ABORT", False)
    assert outcome.state is not None and outcome.state.type == "COMPLETED"
    run.refresh_from_db()
    assert run.state_type == "COMPLETED"
    assert len(history(run)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_force_uses_the_kinds_force_policy(kind):
    run = create_run(kind, "COMPLETED")
    outcome = set_state(kind, run.pk, "CRASHED", force=True)
    assert (outcome.status, outcome.written) == ("ACCEPT", True)
    run.refresh_from_db()
    assert run.state_type == "CRASHED"
    assert len(history(run)) == 2


def test_the_initial_state_of_a_task_run_is_written_under_the_force_policy():
    # Outside a running flow, the core task policy aborts RUNNING...
    pending_flow_task = create_task_run("PENDING", flow_run_state="PENDING")
    assert set_state("task run", pending_flow_task.pk, "RUNNING").status == "ABORT"
    # ...but a task run created RUNNING in the same situation starts RUNNING.
    created_running = create_task_run("RUNNING", flow_run_state="PENDING")
    created_running.refresh_from_db()
    assert created_running.state_type == "RUNNING"
    assert created_running.run_count == 1  # the task bookkeeping still ran


def test_the_initial_state_of_a_flow_run_is_written_under_the_force_policy(settings):
    settings.ORCHESTRATION_FLOW_POLICY = FROZEN
    frozen = create_flow_run("PENDING", tags=["frozen"])
    assert set_state("flow run", frozen.pk, "RUNNING").status == "ABORT"
    created_running = create_flow_run("RUNNING", tags=["frozen"])
    created_running.refresh_from_db()
    assert created_running.state_type == "RUNNING"


@pytest.mark.parametrize("kind", KINDS)
def test_states_proposed_in_the_same_microsecond_get_distinct_increasing_timestamps(kind):
    run = create_run(kind)
    [(_, first)] = history(run)
    # The clock stands still at the instant of the current state (G1).
    with mock.patch("django.utils.timezone.now", return_value=first):
        running = set_state(kind, run.pk, "RUNNING")
        completed = set_state(kind, run.pk, "COMPLETED")
    one = timedelta(microseconds=1)
    assert running.state is not None and running.state.timestamp == first + one
    assert completed.state is not None and completed.state.timestamp == first + 2 * one
    run.refresh_from_db()
    assert run.state_timestamp == first + 2 * one
    assert history(run) == [
        ("PENDING", first),
        ("RUNNING", first + one),
        ("COMPLETED", first + 2 * one),
    ]


@pytest.mark.parametrize(("kind", "label"), [("flow run", "Flow run"), ("task run", "Task run")])
def test_an_unknown_run_is_a_not_found_domain_error(kind, label):
    missing = uuid4()
    with pytest.raises(ObjectNotFound) as excinfo:
        set_state(kind, missing, "RUNNING")
    assert excinfo.value.status_code == 404
    assert excinfo.value.body() == {"exception_message": f"{label} with id {missing} not found"}
    assert not FlowRunState.objects.exists()
    assert not TaskRunState.objects.exists()


def test_a_subflow_state_is_mirrored_onto_its_parent_task_run():
    parent_task = create_task_run("RUNNING")
    subflow, _ = flow_run_create(
        flow_id=FlowFactory.create().id,
        fields={"parent_task_run_id": parent_task.pk},
        state=StateProposal(type="PENDING"),
        call=CALL,
    )
    flow_run_set_state(flow_run_id=subflow.pk, state=StateProposal(type="RUNNING"), call=CALL)
    flow_run_set_state(flow_run_id=subflow.pk, state=StateProposal(type="COMPLETED"), call=CALL)
    parent_task.refresh_from_db()
    assert parent_task.state_type == "COMPLETED"
    assert parent_task.state is not None
    assert parent_task.state.state_details["child_flow_run_id"] == str(subflow.pk)


# --- the configured policies -----------------------------------------------------------------


def test_overriding_a_policy_setting_reloads_the_cached_policy():
    run = create_flow_run("PENDING", tags=["frozen"])
    with override_settings(ORCHESTRATION_FLOW_POLICY=FROZEN):
        assert policy_for("ORCHESTRATION_FLOW_POLICY") is FrozenAwarePolicy
        assert set_state("flow run", run.pk, "RUNNING").status == "ABORT"
    assert policy_for("ORCHESTRATION_FLOW_POLICY") is CoreFlowPolicy
    assert set_state("flow run", run.pk, "RUNNING").status == "ACCEPT"


def test_a_bad_policy_path_is_refused_naming_the_setting_and_the_path():
    bad = "orchestration.policies.CoreTaskPolicyy"
    with (
        pytest.raises(ImproperlyConfigured, match=r"ORCHESTRATION_TASK_POLICY = '.*Policyy'"),
        override_settings(ORCHESTRATION_TASK_POLICY=bad),
    ):
        pass  # pragma: no cover - the override itself fails
    # The override was rolled back, and with it the cached policy.
    assert policy_for("ORCHESTRATION_TASK_POLICY") is CoreTaskPolicy
    task_run = create_task_run()
    assert set_state("task run", task_run.pk, "RUNNING").status == "ACCEPT"


def test_a_bad_policy_path_stops_manage_py_check_at_start_up():
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "ORCHESTRATION_FLOW_POLICY": "orchestration.policies.NoSuchPolicy"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ORCHESTRATION_FLOW_POLICY = 'orchestration.policies.NoSuchPolicy'" in result.stderr
    assert "has no attribute 'NoSuchPolicy'" in result.stderr
