"""The pause-expirations service: paused runs whose timeout passed fail as Prefect fails them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from background.sweeps import pause_expirations
from flowruns.models import FlowRunState
from tests.factories import DeploymentFactory

from .helpers import T0, current, events_named, iso, propose, run_create

pytestmark = pytest.mark.django_db


def paused_run(api, timeout: str | None, reschedule: bool = False) -> str:
    body = {}
    if reschedule:  # only a deployed run can be suspended
        deployment = DeploymentFactory.create()
        body = {"flow_id": str(deployment.flow_id), "deployment_id": str(deployment.id)}
    run_id = run_create(api, {"type": "RUNNING"}, **body)
    details = {"pause_timeout": timeout, "pause_reschedule": reschedule}
    outcome = propose(api, run_id, {"type": "PAUSED", "state_details": details})
    assert outcome["status"] == "ACCEPT", outcome
    return run_id


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return pause_expirations.sweep(moment)


def test_a_pause_whose_timeout_passed_fails_the_run(api):
    with time_machine.travel(T0 - timedelta(minutes=5), tick=False):
        run_id = paused_run(api, iso(T0))

    result = sweep_at(T0 + timedelta(seconds=1))

    state = current(run_id)
    assert (state.type, state.name, state.message) == (
        "FAILED",
        "Failed",
        "The flow was paused and never resumed.",
    )
    assert state.actor == "service:pause_expirations"
    assert (result.examined, result.changed, result.failed) == (1, 1, 0)
    assert len(events_named("prefect.flow-run.Failed", run_id)) == 1


def test_a_pause_expires_only_after_its_timeout(api):
    with time_machine.travel(T0 - timedelta(minutes=5), tick=False):
        run_id = paused_run(api, iso(T0))

    at_timeout = sweep_at(T0)
    assert current(run_id).type == "PAUSED"
    after = sweep_at(T0 + timedelta(microseconds=1))

    assert (at_timeout.examined, after.changed) == (0, 1)
    assert current(run_id).type == "FAILED"


def test_a_suspended_run_expires_too(api):
    with time_machine.travel(T0 - timedelta(minutes=5), tick=False):
        run_id = paused_run(api, iso(T0), reschedule=True)

    sweep_at(T0 + timedelta(minutes=1))

    assert (current(run_id).type, current(run_id).message) == (
        "FAILED",
        "The flow was paused and never resumed.",
    )


def test_a_pause_without_a_timeout_never_expires(api):
    run_id = paused_run(api, None)

    result = sweep_at(T0 + timedelta(days=365))

    assert result.examined == 0
    assert current(run_id).type == "PAUSED"


def test_timeouts_are_compared_as_instants_not_as_text(api):
    """`...:00Z` sorts after `...:00.5Z` as text; as instants it is earlier."""
    with time_machine.travel(T0 - timedelta(minutes=5), tick=False):
        whole = paused_run(api, "2026-11-20T12:00:00Z")
        fraction = paused_run(api, "2026-11-20T12:00:00.900000Z")
        offset = paused_run(api, "2026-11-20T13:00:00.700000+01:00")

    sweep_at(T0 + timedelta(milliseconds=500))

    assert current(whole).type == "FAILED"
    assert current(fraction).type == "PAUSED"
    assert current(offset).type == "PAUSED"


def test_an_unreadable_timeout_is_skipped_and_the_others_still_expire(api):
    with time_machine.travel(T0 - timedelta(minutes=5), tick=False):
        broken = paused_run(api, iso(T0))
        expired = paused_run(api, iso(T0))
    state = current(broken)
    FlowRunState.objects.filter(pk=state.pk).update(
        state_details={**state.state_details, "pause_timeout": "not a time"}
    )

    result = sweep_at(T0 + timedelta(minutes=1))

    assert (current(broken).type, current(expired).type) == ("PAUSED", "FAILED")
    assert (result.changed, result.failed) == (1, 0)


def test_a_run_resumed_after_the_scan_is_left_alone(api, monkeypatch):
    with time_machine.travel(T0 - timedelta(minutes=5), tick=False):
        run_id = paused_run(api, iso(T0))
    scanned = pause_expirations._page(T0 + timedelta(minutes=1), None)
    propose(api, run_id, {"type": "RUNNING"}, force=True)
    monkeypatch.setattr(
        pause_expirations, "_page", lambda now, cursor: scanned if cursor is None else []
    )

    result = sweep_at(T0 + timedelta(minutes=1))

    assert (result.examined, result.changed) == (1, 0)
    assert current(run_id).type == "RUNNING"
