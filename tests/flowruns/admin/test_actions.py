"""Admin actions ask first (a summary of what will change), then go through
`flow_run_set_state` (or `flow_runs_delete`), report outcomes grouped, and write history."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from flowruns.admin.actions.definitions import default_forced_state
from flowruns.models import FlowRun, FlowRunState, StateType
from tests.factories import DeploymentFactory, TaskRunFactory

from .conftest import CHANGELIST, change_url

pytestmark = pytest.mark.django_db


def ask(client, action, runs, **extra):
    """The first step: choose the action on the list (no confirmation yet)."""
    data = {"action": action, "_selected_action": [str(r.pk) for r in runs], "index": 0, **extra}
    return client.post(CHANGELIST, data)


def run_action(client, action, runs, **extra):
    """Both steps: the action, confirmed."""
    data = {"action": action, "_selected_action": [str(r.pk) for r in runs], "post": "yes", **extra}
    return client.post(CHANGELIST, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(
    "action",
    [
        "cancel_flow_runs",
        "mark_flow_runs_failed",
        "retry_flow_runs",
        "reschedule_flow_runs",
        "force_flow_run_state",
        "delete_flow_runs",
    ],
)
def test_every_action_asks_for_confirmation_before_changing_anything(
    admin_client, make_run, action
):
    runs = [make_run(StateType.RUNNING, name="busy"), make_run(StateType.COMPLETED, name="done")]
    states_before = FlowRunState.objects.count()
    response = ask(admin_client, action, runs)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="action-summary"' in page and 'name="post" value="yes"' in page
    assert "busy" in page and "done" in page
    assert FlowRunState.objects.count() == states_before
    assert FlowRun.objects.count() == 2
    assert LogEntry.objects.count() == 0


def test_the_summary_says_how_many_runs_from_which_states_to_what(admin_client, make_run):
    runs = [make_run(StateType.RUNNING) for _ in range(3)] + [make_run(StateType.COMPLETED)]
    page = ask(admin_client, "cancel_flow_runs", runs).content.decode()
    assert "<strong>4 flow runs</strong> → Cancelling" in page
    assert "<li>3 Running → Cancelling</li>" in page
    assert "<li>1 Completed → Cancelling</li>" in page


def test_cancel_reports_outcomes_grouped(admin_client, make_run):
    running = [make_run(StateType.RUNNING, name=f"r{i}") for i in range(3)]
    done = [make_run(StateType.COMPLETED, name=f"c{i}") for i in range(2)]
    response = run_action(admin_client, "cancel_flow_runs", running + done)
    by_text = {str(m): m.level_tag for m in response.context["messages"]}
    assert by_text == {
        'Cancel: 3 runs now Cancelling: "r0", "r1", "r2".': "success",
        "Cancel: 2 runs left alone, still Completed (Run is already in terminal state "
        'COMPLETED): "c0", "c1".': "warning",
    }
    assert set(
        FlowRun.objects.filter(name__startswith="r").values_list("state_type", flat=True)
    ) == {"CANCELLING"}
    running[0].refresh_from_db()
    assert running[0].state.message == "Cancelled from the admin by admin"


def test_cancel_a_scheduled_run_without_infrastructure_writes_cancelled(admin_client, make_run):
    run = make_run(StateType.SCHEDULED, name="waiting-run")
    response = run_action(admin_client, "cancel_flow_runs", [run])
    assert messages_of(response) == [
        "Cancel: 1 run now Cancelled, written instead of the proposed state (Scheduled flow run "
        'has no infrastructure to terminate): "waiting-run".'
    ]
    run.refresh_from_db()
    assert run.state_type == "CANCELLED"


def test_long_groups_name_ten_runs_and_count_the_rest(admin_client, make_run):
    runs = [make_run(StateType.RUNNING, name=f"run-{i:02d}") for i in range(12)]
    (text,) = messages_of(run_action(admin_client, "mark_flow_runs_failed", runs))
    assert text.startswith('Mark failed: 12 runs now Failed: "run-')
    assert text.endswith(" and 2 more.")


def test_mark_failed_proposes_failed(admin_client, make_run):
    run = make_run(StateType.RUNNING, name="r1")
    response = run_action(admin_client, "mark_flow_runs_failed", [run])
    assert messages_of(response) == ['Mark failed: 1 run now Failed: "r1".']
    run.refresh_from_db()
    assert run.state_type == "FAILED"
    assert run.state.message == "Marked failed from the admin by admin"


def test_retry_schedules_a_failed_deployment_run_again_as_awaiting_retry(admin_client, make_run):
    deployment = DeploymentFactory.create()
    run = make_run(StateType.FAILED, name="f2", flow=deployment.flow, deployment_id=deployment.id)
    before = timezone.now()
    response = run_action(admin_client, "retry_flow_runs", [run])
    assert messages_of(response) == ['Retry: 1 run now AwaitingRetry: "f2".']
    run.refresh_from_db()
    assert (run.state_type, run.state_name) == ("SCHEDULED", "AwaitingRetry")
    scheduled = datetime.fromisoformat(run.state.state_details["scheduled_time"])
    assert before <= scheduled <= timezone.now()


def test_retry_of_a_run_without_deployment_is_left_alone_with_the_reason(admin_client, make_run):
    run = make_run(StateType.FAILED, name="f1")
    response = run_action(admin_client, "retry_flow_runs", [run])
    assert messages_of(response) == [
        "Retry: 1 run left alone, still Failed (Cannot reschedule a run without an associated "
        'deployment): "f1".'
    ]
    assert LogEntry.objects.count() == 0  # nothing changed, nothing logged


def test_reschedule_proposes_scheduled_now(admin_client, make_run):
    deployment = DeploymentFactory.create()
    run = make_run(StateType.FAILED, name="f2", flow=deployment.flow, deployment_id=deployment.id)
    response = run_action(admin_client, "reschedule_flow_runs", [run])
    assert messages_of(response) == ['Reschedule: 1 run now Scheduled: "f2".']


@pytest.mark.parametrize(
    ("current", "default"),
    [
        ([StateType.CANCELLING], "CANCELLED"),
        ([StateType.CANCELLING, StateType.CANCELLING], "CANCELLED"),
        ([StateType.COMPLETED, StateType.FAILED], "SCHEDULED"),
        ([StateType.RUNNING], "FAILED"),
        ([StateType.RUNNING, StateType.COMPLETED], "FAILED"),
        ([StateType.PENDING, StateType.CANCELLING], "FAILED"),
    ],
)
def test_force_defaults_to_the_state_an_operator_most_likely_wants(current, default):
    assert default_forced_state(current) == default


def test_force_page_preselects_the_default_state(admin_client, make_run):
    run = make_run(StateType.CANCELLING)
    page = ask(admin_client, "force_flow_run_state", [run]).content.decode()
    assert '<option value="CANCELLED" selected>' in page


def test_confirmed_force_state_is_applied_with_force(admin_client, make_run):
    done = make_run(StateType.COMPLETED, name="done-run")
    response = run_action(
        admin_client,
        "force_flow_run_state",
        [done],
        state_type="SCHEDULED",
        state_name="",
        message="retry by hand",
    )
    assert messages_of(response) == ['Force Scheduled: 1 run now Scheduled: "done-run".']
    done.refresh_from_db()
    assert done.state_type == "SCHEDULED"
    assert done.state.message == "retry by hand"


def test_state_changes_are_written_to_the_admin_history(admin_client, make_run):
    run = make_run(StateType.RUNNING, name="busy-run")
    untouched = make_run(StateType.COMPLETED, name="done-run")
    run_action(admin_client, "cancel_flow_runs", [run, untouched])
    (entry,) = LogEntry.objects.all()
    assert entry.action_flag == CHANGE
    assert entry.user.username == "admin"
    assert entry.object_id == str(run.pk) and entry.object_repr == "busy-run"
    assert entry.get_change_message() == "Cancel: Running → Cancelling"
    history = admin_client.get(change_url(run).replace("/change/", "/history/")).content.decode()
    assert "Cancel: Running → Cancelling" in history and "admin" in history
    index = admin_client.get("/admin/").content.decode()
    assert "busy-run" in index.split('id="recent-actions-module"')[1]


def test_delete_removes_the_runs_with_their_children_and_logs_it(admin_client, make_run):
    run = make_run(StateType.FAILED, name="old-run")
    TaskRunFactory.create(flow_run=run)
    keep = make_run(StateType.FAILED, name="kept")
    response = run_action(admin_client, "delete_flow_runs", [run])
    assert messages_of(response) == ["Delete: 1 run deleted."]
    assert list(FlowRun.objects.values_list("name", flat=True)) == ["kept"]
    (entry,) = LogEntry.objects.all()
    assert (entry.action_flag, entry.object_repr, entry.object_id) == (
        DELETION,
        "old-run",
        str(run.pk),
    )
    assert keep.pk


def test_delete_needs_the_delete_permission(client, make_run):
    user = User.objects.create_user("operator", password="pw", is_staff=True)
    for codename in ("view_flowrun", "change_flowrun"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    run = make_run(StateType.FAILED)
    page = client.get(CHANGELIST).content.decode()
    assert "cancel_flow_runs" in page and "delete_flow_runs" not in page
    run_action(client, "delete_flow_runs", [run])
    assert FlowRun.objects.filter(pk=run.pk).exists()


def test_actions_refuse_more_runs_than_the_cap(admin_client, make_run, monkeypatch):
    from flowruns.admin.actions import definitions

    monkeypatch.setattr(definitions, "MAX_RUNS_PER_ACTION", 1)
    runs = [make_run(StateType.RUNNING), make_run(StateType.RUNNING)]
    response = run_action(admin_client, "cancel_flow_runs", runs)
    assert "changes at most 1 flow runs" in messages_of(response)[0]
    assert set(FlowRun.objects.values_list("state_type", flat=True)) == {"RUNNING"}


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


def test_an_action_reaches_a_selected_run_the_default_view_hides(admin_client):
    from tests.factories import FlowRunFactory

    run = FlowRunFactory.create(state_type=StateType.RUNNING, with_state=True)
    assert run.expected_start_time is None  # not in "Recent and active"
    response = run_action(admin_client, "mark_flow_runs_failed", [run])
    assert messages_of(response) == [f'Mark failed: 1 run now Failed: "{run.name}".']
