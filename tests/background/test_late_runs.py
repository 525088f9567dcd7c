"""The late-runs service: which runs it marks, what it writes, and how a pass goes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from background.sweeps import late_runs
from flowruns.models import DeploymentConcurrencyLease, FlowRun
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.states import flow_run_set_state
from tests.factories import DeploymentFactory, FlowRunFactory

from .helpers import T0, current, events_named, iso, propose, scheduled_run, scheduled_runs_bulk

pytestmark = pytest.mark.django_db

GRACE = timedelta(seconds=15)


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return late_runs.sweep(moment)


def test_a_scheduled_run_past_the_grace_becomes_late_keeping_its_scheduled_time(api):
    run_id = scheduled_run(api, T0)

    result = sweep_at(T0 + timedelta(seconds=60))

    state = current(run_id)
    assert (state.type, state.name, state.message) == ("SCHEDULED", "Late", None)
    assert state.state_details["scheduled_time"] == iso(T0)
    assert state.actor == "service:late_runs"
    assert (result.examined, result.changed, result.failed) == (1, 1, 0)
    assert len(events_named("prefect.flow-run.Late", run_id)) == 1
    assert api.get(f"/api/flow_runs/{run_id}").json()["state_name"] == "Late"


def test_a_run_is_late_exactly_when_the_grace_has_passed(api):
    run_id = scheduled_run(api, T0)

    early = sweep_at(T0 + GRACE - timedelta(microseconds=1))
    assert current(run_id).name == "Scheduled"
    on_time = sweep_at(T0 + GRACE)

    assert (early.examined, on_time.changed) == (0, 1)
    assert current(run_id).name == "Late"


@pytest.mark.parametrize("name", ["AwaitingRetry", "AwaitingConcurrencySlot", "Resuming", "Mine"])
def test_scheduled_runs_not_named_scheduled_are_never_marked_late(api, name):
    run_id = scheduled_run(api, T0, name=name)

    result = sweep_at(T0 + timedelta(hours=1))

    assert current(run_id).name == name
    assert result.examined == 0


def test_a_late_run_is_not_marked_again(api):
    run_id = scheduled_run(api, T0)
    sweep_at(T0 + timedelta(minutes=1))

    again = sweep_at(T0 + timedelta(minutes=2))

    assert again.examined == 0
    assert len(events_named("prefect.flow-run.Late", run_id)) == 1


def test_a_scheduled_run_without_a_next_scheduled_time_is_never_selected():
    run = FlowRunFactory.create(state_type="SCHEDULED", with_state=True)
    assert run.next_scheduled_start_time is None

    result = sweep_at(T0 + timedelta(days=1))

    assert result.examined == 0
    assert FlowRun.objects.get(pk=run.pk).state_name == "Scheduled"


def test_runs_in_other_states_are_left_alone(api):
    run_id = scheduled_run(api, T0)
    propose(api, run_id, {"type": "PENDING"})

    result = sweep_at(T0 + timedelta(hours=1))

    assert result.examined == 0
    assert current(run_id).type == "PENDING"


def test_a_run_that_left_scheduled_after_the_scan_is_left_alone(api, monkeypatch):
    run_id = scheduled_run(api, T0)
    scanned = late_runs._page(T0, None)
    flow_run_set_state(
        flow_run_id=run_id,
        state=StateProposal(type="SCHEDULED", name="AwaitingRetry"),
        force=True,
        call=OrchestrationCall(),
    )
    monkeypatch.setattr(
        late_runs, "_page", lambda cutoff, cursor: scanned if cursor is None else []
    )

    result = sweep_at(T0 + timedelta(minutes=1))

    assert (result.examined, result.changed, result.failed) == (1, 0, 0)
    assert current(run_id).name == "AwaitingRetry"


def test_a_full_cancel_new_deployment_cancels_its_late_run(api):
    deployment = DeploymentFactory.create(concurrency_limit=1, collision_strategy="CANCEL_NEW")
    body = {"flow_id": str(deployment.flow_id), "deployment_id": str(deployment.id)}
    running = scheduled_run(api, T0 - timedelta(hours=1), **body)
    propose(api, running, {"type": "PENDING"})
    assert DeploymentConcurrencyLease.objects.filter(deployment=deployment).count() == 1
    waiting = scheduled_run(api, T0, **body)

    result = sweep_at(T0 + timedelta(minutes=1))

    state = current(waiting)
    assert (state.type, state.message) == ("CANCELLED", "Deployment concurrency limit reached.")
    assert result.changed == 1
    assert "REJECT" in result.notes[0]
    assert len(events_named("prefect.flow-run.Cancelled", waiting)) == 1


def test_an_enqueue_deployment_at_its_limit_still_gets_late_runs(api):
    deployment = DeploymentFactory.create(concurrency_limit=1)
    body = {"flow_id": str(deployment.flow_id), "deployment_id": str(deployment.id)}
    running = scheduled_run(api, T0 - timedelta(hours=1), **body)
    propose(api, running, {"type": "PENDING"})
    waiting = scheduled_run(api, T0, **body)

    sweep_at(T0 + timedelta(minutes=1))

    assert (current(waiting).type, current(waiting).name) == ("SCHEDULED", "Late")


def test_one_pass_marks_a_backlog_larger_than_a_batch():
    run_ids = scheduled_runs_bulk(late_runs.BATCH * 2 + 50, T0)

    result = sweep_at(T0 + timedelta(minutes=1))

    assert (result.examined, result.changed, result.failed) == (len(run_ids), len(run_ids), 0)
    assert set(FlowRun.objects.values_list("state_name", flat=True)) == {"Late"}


def test_a_failing_run_is_counted_and_the_pass_goes_on(monkeypatch):
    run_ids = scheduled_runs_bulk(5, T0)
    broken = run_ids[2]
    real = late_runs.flow_run_set_state_if

    def set_state(**kwargs):
        if str(kwargs["flow_run_id"]) == broken:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(late_runs, "flow_run_set_state_if", set_state)

    result = sweep_at(T0 + timedelta(minutes=1))

    assert (result.examined, result.changed, result.failed) == (5, 4, 1)
    assert any(
        note.startswith(f"{broken}: failed: RuntimeError: disk full") for note in result.notes
    )
    names = dict(FlowRun.objects.values_list("id", "state_name"))
    assert {str(k): v for k, v in names.items()} == {
        run_id: "Scheduled" if run_id == broken else "Late" for run_id in run_ids
    }


def test_the_grace_comes_from_prefects_setting(api, settings):
    settings.PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS = "120"
    run_id = scheduled_run(api, T0)

    sweep_at(T0 + timedelta(seconds=119))
    assert current(run_id).name == "Scheduled"
    sweep_at(T0 + timedelta(seconds=120))
    assert current(run_id).name == "Late"
