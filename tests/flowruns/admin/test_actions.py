"""Admin actions go through `flow_run_set_state` and report every run's outcome."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from flowruns.models import FlowRun, FlowRunState, StateType
from tests.factories import DeploymentFactory

from .conftest import CHANGELIST

pytestmark = pytest.mark.django_db


def run_action(client, action, runs, **extra):
    data = {"action": action, "_selected_action": [str(r.pk) for r in runs], "index": 0, **extra}
    return client.post(CHANGELIST, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_cancel_a_running_run_is_accepted_as_cancelling(admin_client, make_run):
    run = make_run(StateType.RUNNING, name="busy-run")
    response = run_action(admin_client, "cancel_flow_runs", [run])
    assert messages_of(response) == ['"busy-run": CANCELLING accepted; the run is now Cancelling.']
    run.refresh_from_db()
    assert (run.state_type, run.state_name) == ("CANCELLING", "Cancelling")
    assert run.state.message == "Cancelled from the admin by admin"


def test_cancel_a_scheduled_run_without_infrastructure_writes_cancelled(admin_client, make_run):
    run = make_run(StateType.SCHEDULED, name="waiting-run")
    response = run_action(admin_client, "cancel_flow_runs", [run])
    (text,) = messages_of(response)
    assert text == (
        '"waiting-run": CANCELLING rejected (Scheduled flow run has no infrastructure to '
        "terminate); Cancelled was written instead."
    )
    run.refresh_from_db()
    assert run.state_type == "CANCELLED"


def test_each_run_gets_its_own_outcome_and_reason(admin_client, make_run):
    running = make_run(StateType.RUNNING, name="r1")
    done = make_run(StateType.COMPLETED, name="c1")
    response = run_action(admin_client, "cancel_flow_runs", [running, done])
    by_text = {str(m): m.level_tag for m in response.context["messages"]}
    assert by_text == {
        '"r1": CANCELLING accepted; the run is now Cancelling.': "success",
        '"c1": CANCELLING aborted (Run is already in terminal state COMPLETED); '
        "the run stays Completed.": "error",
    }
    done.refresh_from_db()
    assert done.state_type == "COMPLETED"


def test_mark_failed_proposes_failed(admin_client, make_run):
    run = make_run(StateType.RUNNING, name="r1")
    response = run_action(admin_client, "mark_flow_runs_failed", [run])
    assert messages_of(response) == ['"r1": FAILED accepted; the run is now Failed.']
    run.refresh_from_db()
    assert run.state_type == "FAILED"
    assert run.state.message == "Marked failed from the admin by admin"


def test_reschedule_of_a_run_without_deployment_reports_the_abort(admin_client, make_run):
    run = make_run(StateType.FAILED, name="f1")
    response = run_action(admin_client, "reschedule_flow_runs", [run])
    assert messages_of(response) == [
        '"f1": SCHEDULED aborted (Cannot reschedule a run without an associated deployment); '
        "the run stays Failed."
    ]


def test_reschedule_proposes_scheduled_now(admin_client, make_run):
    deployment = DeploymentFactory.create()
    run = make_run(StateType.FAILED, name="f2", flow=deployment.flow, deployment_id=deployment.id)
    before = timezone.now()
    response = run_action(admin_client, "reschedule_flow_runs", [run])
    assert messages_of(response) == ['"f2": SCHEDULED accepted; the run is now Scheduled.']
    run.refresh_from_db()
    assert run.state_type == "SCHEDULED"
    scheduled = datetime.fromisoformat(run.state.state_details["scheduled_time"])
    assert before <= scheduled <= timezone.now()


def test_force_state_asks_for_confirmation_listing_the_runs_first(admin_client, make_run):
    a = make_run(StateType.RUNNING, name="first-run")
    b = make_run(StateType.FAILED, name="second-run")
    states_before = FlowRunState.objects.count()
    response = run_action(admin_client, "force_flow_run_state", [a, b])
    page = response.content.decode()
    assert "Force a state on flow runs" in page
    assert "first-run" in page and "second-run" in page
    assert 'name="post" value="yes"' in page and 'name="state_type"' in page
    assert FlowRunState.objects.count() == states_before  # nothing happened yet


def test_confirmed_force_state_is_applied_with_force(admin_client, make_run):
    done = make_run(StateType.COMPLETED, name="done-run")
    data = {
        "action": "force_flow_run_state",
        "_selected_action": [str(done.pk)],
        "post": "yes",
        "state_type": "SCHEDULED",
        "state_name": "",
        "message": "retry by hand",
    }
    response = admin_client.post(CHANGELIST, data, follow=True)
    assert messages_of(response) == [
        '"done-run": forced SCHEDULED accepted; the run is now Scheduled.'
    ]
    done.refresh_from_db()
    assert done.state_type == "SCHEDULED"
    assert done.state.message == "retry by hand"


def test_actions_refuse_more_runs_than_the_cap(admin_client, make_run, monkeypatch):
    from flowruns.admin import actions

    monkeypatch.setattr(actions, "MAX_RUNS_PER_ACTION", 1)
    runs = [make_run(StateType.RUNNING), make_run(StateType.RUNNING)]
    response = run_action(admin_client, "cancel_flow_runs", runs)
    assert "changes at most 1 flow runs" in messages_of(response)[0]
    assert set(FlowRun.objects.values_list("state_type", flat=True)) == {"RUNNING"}


def test_messages_beyond_the_limit_are_summarised(admin_client, make_run, monkeypatch):
    from flowruns.admin import actions

    monkeypatch.setattr(actions, "MAX_RUN_MESSAGES", 1)
    runs = [make_run(StateType.RUNNING) for _ in range(3)]
    texts = messages_of(run_action(admin_client, "cancel_flow_runs", runs))
    assert len(texts) == 2
    assert texts[1] == "…and 2 more runs: 2 accept."


def test_view_only_staff_see_no_actions(client, make_run):
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_flowrun"))
    client.force_login(user)
    run = make_run(StateType.RUNNING)
    page = client.get(CHANGELIST).content.decode()
    assert "cancel_flow_runs" not in page
    run_action(client, "cancel_flow_runs", [run])
    run.refresh_from_db()
    assert run.state_type == "RUNNING"
