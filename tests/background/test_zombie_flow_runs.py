"""The zombie sweeper: a RUNNING run whose heartbeats stopped (or, if configured, that ran too
long without any) is crashed, and its deployment slot comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from background.sweeps import zombie_flow_runs
from flowruns.models import DeploymentConcurrencyLease, FlowRun
from flowruns.services.heartbeats import flow_run_heartbeat_record
from tests.factories import DeploymentFactory, FlowFactory

from .helpers import T0, current, events_named, propose, run_create

pytestmark = pytest.mark.django_db

AFTER = timedelta(seconds=540)
MISSING = "Flow run marked as crashed due to missing heartbeats."


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return zombie_flow_runs.sweep(moment)


def running_run(api, **body) -> str:
    with time_machine.travel(T0 - timedelta(minutes=1), tick=False):
        return run_create(api, {"type": "RUNNING"}, **body)


def beat(run_id: str, at) -> None:
    assert flow_run_heartbeat_record(flow_run_id=run_id, received=at)


def test_a_running_run_whose_heartbeats_stopped_is_crashed(api):
    run_id = running_run(api)
    beat(run_id, T0)

    result = sweep_at(T0 + AFTER + timedelta(seconds=1))

    state = current(run_id)
    assert (state.type, state.name, state.message) == ("CRASHED", "Crashed", MISSING)
    assert state.actor == "service:zombie_flow_runs"
    assert (result.examined, result.changed, result.failed) == (1, 1, 0)
    assert len(events_named("prefect.flow-run.Crashed", run_id)) == 1
    assert FlowRun.objects.get(pk=run_id).end_time is not None


def test_a_run_is_a_zombie_only_once_the_silence_exceeds_the_threshold(api):
    run_id = running_run(api)
    beat(run_id, T0)

    at_threshold = sweep_at(T0 + AFTER)
    assert current(run_id).type == "RUNNING"
    past = sweep_at(T0 + AFTER + timedelta(microseconds=1))

    assert (at_threshold.examined, past.changed) == (0, 1)
    assert current(run_id).type == "CRASHED"


def test_a_run_that_keeps_beating_is_left_alone(api):
    run_id = running_run(api)
    beat(run_id, T0)
    beat(run_id, T0 + timedelta(seconds=500))

    result = sweep_at(T0 + AFTER + timedelta(seconds=60))

    assert current(run_id).type == "RUNNING"
    assert result.examined == 0


def test_a_state_change_after_the_last_heartbeat_disarms_the_sweeper(api):
    run_id = running_run(api)
    beat(run_id, T0 - timedelta(seconds=30))
    with time_machine.travel(T0, tick=False):
        propose(api, run_id, {"type": "PAUSED"}, force=True)
        propose(api, run_id, {"type": "RUNNING"}, force=True)

    result = sweep_at(T0 + timedelta(days=1))

    assert current(run_id).type == "RUNNING"
    assert result.examined == 0


@pytest.mark.parametrize("state_type", ["PAUSED", "CANCELLING", "COMPLETED"])
def test_only_running_runs_are_swept(api, state_type):
    run_id = running_run(api)
    beat(run_id, T0)
    with time_machine.travel(T0 - timedelta(seconds=1), tick=False):
        propose(api, run_id, {"type": state_type}, force=True)
    beat(run_id, T0 + timedelta(seconds=1))  # still beating after the state change

    result = sweep_at(T0 + timedelta(days=1))

    assert current(run_id).type == state_type
    assert result.examined == 0


def test_a_run_that_never_beat_is_left_alone_by_default(api):
    run_id = running_run(api)

    result = sweep_at(T0 + timedelta(days=30))

    assert current(run_id).type == "RUNNING"
    assert result.examined == 0


def test_a_run_that_never_beat_is_crashed_past_the_maximum_runtime(api, settings):
    settings.ZOMBIE_FLOW_RUNS_MAX_RUNTIME_SECONDS = "3600"
    run_id = running_run(api)  # RUNNING since T0 - 1 min
    beating = running_run(api)
    beat(beating, T0 + timedelta(minutes=58))

    early = sweep_at(T0 + timedelta(minutes=59) - timedelta(microseconds=1))
    assert current(run_id).type == "RUNNING"
    late = sweep_at(T0 + timedelta(minutes=59))

    state = current(run_id)
    assert (state.type, state.name) == ("CRASHED", "Crashed")
    assert state.message == (
        "Flow run marked as crashed: it ran longer than the configured maximum runtime "
        "(3600 s) without sending heartbeats."
    )
    assert (early.changed, late.changed) == (0, 1)
    assert current(beating).type == "RUNNING"


def test_a_crashed_zombie_gives_its_deployment_slot_back(api):
    deployment = DeploymentFactory.create(concurrency_limit=1)
    body = {"flow_id": str(deployment.flow_id), "deployment_id": str(deployment.id)}
    with time_machine.travel(T0 - timedelta(minutes=1), tick=False):
        zombie = run_create(api, {"type": "SCHEDULED"}, **body)
        assert propose(api, zombie, {"type": "PENDING"})["status"] == "ACCEPT"
        assert propose(api, zombie, {"type": "RUNNING"})["status"] == "ACCEPT"
    beat(zombie, T0)
    waiting = run_create(api, {"type": "SCHEDULED"}, **body)
    assert propose(api, waiting, {"type": "PENDING"})["status"] == "REJECT"  # slot taken
    assert DeploymentConcurrencyLease.objects.filter(deployment=deployment).count() == 1

    sweep_at(T0 + AFTER + timedelta(seconds=1))

    assert current(zombie).type == "CRASHED"
    assert not DeploymentConcurrencyLease.objects.filter(flow_run_id=zombie).exists()
    assert propose(api, waiting, {"type": "PENDING"})["status"] == "ACCEPT"


def test_a_crashed_run_that_reports_completion_keeps_its_result(api):
    run_id = running_run(api)
    beat(run_id, T0)
    sweep_at(T0 + AFTER + timedelta(seconds=1))

    outcome = propose(api, run_id, {"type": "COMPLETED"})

    assert outcome["status"] == "ACCEPT"
    assert current(run_id).type == "COMPLETED"


def test_the_threshold_comes_from_its_setting(api, settings):
    settings.ZOMBIE_FLOW_RUNS_AFTER_SECONDS = "90"
    run_id = running_run(api)
    beat(run_id, T0)

    sweep_at(T0 + timedelta(seconds=91))

    assert current(run_id).type == "CRASHED"


def test_a_slow_beating_client_gets_three_of_its_own_beats(api):
    """Beats 600 s apart: the 540 s setting would crash a healthy run between two beats."""
    run_id = running_run(api)
    beat(run_id, T0)
    beat(run_id, T0 + timedelta(seconds=600))

    between = sweep_at(T0 + timedelta(seconds=600 + 1000))
    assert current(run_id).type == "RUNNING"
    silent = sweep_at(T0 + timedelta(seconds=600 + 1800, microseconds=1))

    assert (between.changed, silent.changed) == (0, 1)
    assert (current(run_id).type, current(run_id).message) == ("CRASHED", MISSING)


def test_a_gap_spanning_a_state_change_is_not_taken_for_the_cadence(api):
    run_id = running_run(api)
    beat(run_id, T0)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):  # suspended, then resumed
        propose(api, run_id, {"type": "PAUSED"}, force=True)
        propose(api, run_id, {"type": "RUNNING"}, force=True)
    beat(run_id, T0 + timedelta(hours=2, seconds=5))

    sweep_at(T0 + timedelta(hours=2, seconds=5 + 541))

    assert current(run_id).type == "CRASHED"


def test_a_heartbeat_keeps_the_one_before_it():
    run = FlowRun.objects.create(flow=FlowFactory.create(), name="beating")
    beat(str(run.pk), T0)
    beat(str(run.pk), T0 + timedelta(seconds=30))
    assert not flow_run_heartbeat_record(flow_run_id=run.pk, received=T0)  # late, ignored

    run.refresh_from_db()
    assert (run.previous_heartbeat, run.last_heartbeat) == (T0, T0 + timedelta(seconds=30))
