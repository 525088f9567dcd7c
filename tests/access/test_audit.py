"""Every state change and deletion records who made it: the API key's user, the shared auth
string, the admin user or the command; visible in the admin. The actor costs no query."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.actors import acting_as
from access.levels import Level
from access.models import APIKey, DeletionRecord
from flowruns.models import FlowRun, FlowRunInput, FlowRunState, StateType, TaskRun, TaskRunState
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.states import flow_run_set_state
from tests.factories import FlowFactory, FlowRunFactory, TaskRunFactory

from .conftest import AUTH_STRING, basic, bearer

pytestmark = pytest.mark.django_db


def key_actor(username: str) -> str:
    return f"apikey:{APIKey.objects.get(user__username=username).prefix}:{username}"


def run_flow(client) -> str:
    flow = client.post("/api/flows/", {"name": "etl"}, format="json").json()
    body = {"flow_id": flow["id"], "state": {"type": "PENDING"}}
    run_id = client.post("/api/flow_runs/", body, format="json").json()["id"]
    for state in ("RUNNING", "COMPLETED"):
        body = {"state": {"type": state}}
        assert (
            client.post(f"/api/flow_runs/{run_id}/set_state", body, format="json").json()["status"]
            == "ACCEPT"
        )
    return run_id


def actors_of(run_id: str) -> list[str | None]:
    states = FlowRunState.objects.filter(flow_run_id=run_id).order_by("timestamp")
    return list(states.values_list("actor", flat=True))


def test_states_written_with_a_key_name_its_user(client_with, make_key, keys_required):
    run_id = run_flow(client_with(bearer(make_key("alice", Level.WRITE))))
    assert actors_of(run_id) == [key_actor("alice")] * 3


def test_states_written_with_the_auth_string_say_so(client_with, auth_string_on):
    run_id = run_flow(client_with(basic(AUTH_STRING)))
    assert actors_of(run_id) == ["auth-string"] * 3


def test_with_authentication_off_the_actor_is_unknown(api):
    assert actors_of(run_flow(api)) == [None] * 3


def test_task_run_states_name_the_actor_too(client_with, make_key, keys_required):
    task_run = TaskRunFactory.create()
    client = client_with(bearer(make_key("alice", Level.WRITE)))
    body = {"state": {"type": "PENDING"}}
    response = client.post(f"/api/task_runs/{task_run.pk}/set_state", body, format="json")
    assert response.json()["status"] == "ACCEPT", response.json()
    assert list(TaskRunState.objects.values_list("actor", flat=True)) == [key_actor("alice")]


def test_admin_actions_name_the_admin_user(admin_client, auth_string_on):
    run = FlowRunFactory.create(state_type=StateType.RUNNING, with_state=True)
    data = {"action": "mark_flow_runs_failed", "_selected_action": [str(run.pk)], "post": "yes"}
    admin_client.post("/admin/flowruns/flowrun/", data, follow=True)
    run.refresh_from_db()
    assert run.state_type == "FAILED"
    assert run.state.actor == "admin:admin"
    page = admin_client.get(f"/admin/flowruns/flowrun/{run.pk}/change/").content.decode()
    assert "admin:admin" in page  # the state history's actor column


def test_the_actor_costs_no_query_per_transition():
    counts = []
    # The first transition also creates today's event partition: measure the next ones.
    for actor in (None, None, "apikey:AbCdEfGh:alice"):
        run = FlowRunFactory.create(state_type=StateType.PENDING, with_state=True)
        with acting_as(actor), CaptureQueriesContext(connection) as queries:
            flow_run_set_state(
                flow_run_id=run.pk, state=StateProposal(type="RUNNING"), call=OrchestrationCall()
            )
        counts.append(len(queries))
        assert FlowRun.objects.get(pk=run.pk).state.actor == actor
    assert counts[1] == counts[2]


def test_deleting_a_run_logs_who_and_which(client_with, make_key, keys_required):
    run = FlowRunFactory.create()
    client = client_with(bearer(make_key("ops", Level.BULK)))
    assert client.delete(f"/api/flow_runs/{run.pk}").status_code == 204
    record = DeletionRecord.objects.get()
    assert (record.actor, record.kind, record.count, record.object_ids) == (
        key_actor("ops"),
        "flow_run",
        1,
        [str(run.pk)],
    )


def test_bulk_delete_logs_one_record_with_every_id(client_with, make_key, keys_required):
    runs = FlowRunFactory.create_batch(3)
    client = client_with(bearer(make_key("ops", Level.BULK)))
    assert client.post("/api/flow_runs/bulk_delete", {}, format="json").status_code == 200
    record = DeletionRecord.objects.get()
    assert sorted(record.object_ids) == sorted(str(run.pk) for run in runs)
    assert record.actor == key_actor("ops")


def test_deleting_a_flow_logs_the_flow_and_its_runs(client_with, auth_string_on):
    flow = FlowFactory.create(name="etl")
    run = FlowRunFactory.create(flow=flow)
    client = client_with(basic(AUTH_STRING))
    assert client.delete(f"/api/flows/{flow.pk}").status_code == 204
    logged = {r.kind: r for r in DeletionRecord.objects.all()}
    assert logged["flow"].object_ids == [str(flow.pk)]
    assert logged["flow"].description == "etl"
    assert logged["flow_run"].object_ids == [str(run.pk)]
    assert {r.actor for r in logged.values()} == {"auth-string"}


def test_deleting_a_task_run_and_an_input_is_logged(api):
    task_run = TaskRunFactory.create()
    run = FlowRunFactory.create()
    FlowRunInput.objects.create(flow_run=run, key="answer", value='"42"')
    assert api.delete(f"/api/task_runs/{task_run.pk}").status_code == 204
    assert api.delete(f"/api/flow_runs/{run.pk}/input/answer").status_code == 204
    kinds = dict(DeletionRecord.objects.values_list("kind", "object_ids"))
    assert kinds["task_run"] == [str(task_run.pk)]
    assert len(kinds["flow_run_input"]) == 1
    assert not TaskRun.objects.exists()


def test_a_refused_delete_logs_nothing(client_with, make_key, keys_required):
    run = FlowRunFactory.create()
    client = client_with(bearer(make_key("alice", Level.WRITE)))
    assert client.delete(f"/api/flow_runs/{run.pk}").status_code == 403
    assert not DeletionRecord.objects.exists()


def test_delete_flow_runs_command_is_named_in_the_log():
    run = FlowRunFactory.create(state_type=StateType.COMPLETED, with_state=True)
    call_command("delete_flow_runs", "--all", "--no-progress", stdout=StringIO(), interactive=False)
    record = DeletionRecord.objects.get()
    assert (record.actor, record.object_ids) == ("command:delete_flow_runs", [str(run.pk)])
