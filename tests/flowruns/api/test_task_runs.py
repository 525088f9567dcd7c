"""`/api/task_runs/...`: create (idempotent per flow run, task key and dynamic key), read,
rename, delete, filter, count and set_state under the task policy (api.md §2.4, §4.4;
orchestration.md §3.7; client.md §8.1)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connections
from rest_framework.test import APIClient

from flowruns.models import FlowRun, TaskRun, TaskRunState
from tests.factories import FlowFactory, FlowRunFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

TASK_RUN_KEYS = [
    "id", "created", "updated", "name", "flow_run_id", "task_key", "dynamic_key", "cache_key",
    "cache_expiration", "task_version", "empirical_policy", "tags", "labels", "state_id",
    "task_inputs", "state_type", "state_name", "run_count", "flow_run_run_count",
    "expected_start_time", "next_scheduled_start_time", "start_time", "end_time",
    "total_run_time", "estimated_run_time", "estimated_start_time_delta", "state",
]  # fmt: skip
STATE_KEYS = ["id", "type", "name", "timestamp", "message", "data", "state_details"]
POLICY_DEFAULTS = {
    "max_retries": 0,
    "retry_delay_seconds": 0.0,
    "retries": None,
    "retry_delay": None,
    "retry_jitter_factor": None,
}
NOT_RUNNING = "The enclosing flow must be running to begin task execution."


# --- helpers -----------------------------------------------------------------------------------


def create_flow_run(api: APIClient, state: str = "RUNNING", **body: Any) -> dict[str, Any]:
    body.setdefault("flow_id", str(FlowFactory().id))
    body["state"] = {"type": state}
    response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def create_task(api: APIClient, **body: Any):
    body.setdefault("task_key", "my_task-abc123")
    body.setdefault("dynamic_key", "0")
    return api.post("/api/task_runs/", body, format="json")


def new_task(api: APIClient, flow_run_id: str | None = None, **body: Any) -> dict[str, Any]:
    if flow_run_id is not None:
        body["flow_run_id"] = flow_run_id
    body.setdefault("task_key", f"task-{uuid.uuid4().hex[:8]}")
    response = create_task(api, **body)
    assert response.status_code == 201, response.json()
    return response.json()


def set_state(api: APIClient, task_run_id: str, state_type: str, force: bool = False, **state):
    body = {"state": {"type": state_type, **state}, "force": force}
    return api.post(f"/api/task_runs/{task_run_id}/set_state", body, format="json")


def filter_ids(api: APIClient, **body: Any) -> list[str]:
    response = api.post("/api/task_runs/filter", body, format="json")
    assert response.status_code == 200, response.json()
    return [run["id"] for run in response.json()]


def without_lateness(task_run: dict[str, Any]) -> dict[str, Any]:
    """A task run body without the one field computed from the clock at read time."""
    return {k: v for k, v in task_run.items() if k != "estimated_start_time_delta"}


def uuid7() -> str:
    """A time-ordered id like the ones the client mints for its task runs."""
    millis = int(datetime.now(UTC).timestamp() * 1000)
    value = (millis << 80) | (0x7 << 76) | (uuid.uuid4().int & ((1 << 76) - 1))
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))


# --- create ------------------------------------------------------------------------------------


def test_create_returns_201_and_a_pending_task_run_with_every_field_in_prefects_order(api):
    flow_run = create_flow_run(api)
    response = create_task(api, flow_run_id=flow_run["id"])

    assert response.status_code == 201
    body = response.json()
    assert list(body) == TASK_RUN_KEYS
    assert body["flow_run_id"] == flow_run["id"]
    assert body["task_key"] == "my_task-abc123"
    assert body["dynamic_key"] == "0"
    assert body["state_type"] == "PENDING"
    assert body["state_name"] == "Pending"
    assert list(body["state"]) == STATE_KEYS
    assert body["state_id"] == body["state"]["id"]
    assert body["state"]["state_details"]["task_run_id"] == body["id"]
    assert body["state"]["state_details"]["flow_run_id"] == flow_run["id"]
    assert body["expected_start_time"] == body["state"]["timestamp"]
    assert body["empirical_policy"] == POLICY_DEFAULTS
    assert body["task_inputs"] == {}
    assert body["tags"] == []
    assert body["run_count"] == 0
    assert body["flow_run_run_count"] == 0
    assert body["total_run_time"] == 0.0
    assert body["estimated_run_time"] == 0.0
    assert body["estimated_start_time_delta"] >= 0.0
    assert body["created"].endswith("Z")
    assert TaskRunState.objects.filter(task_run_id=body["id"]).count() == 1


def test_create_keeps_the_id_the_client_sends(api):
    task_run_id = uuid7()
    body = create_task(api, id=task_run_id, flow_run_id=create_flow_run(api)["id"]).json()
    assert body["id"] == task_run_id
    assert TaskRun.objects.filter(pk=task_run_id).exists()


def test_create_without_a_flow_run_has_no_system_labels(api):
    body = create_task(api, labels={"team": "data"}).json()
    assert body["flow_run_id"] is None
    assert body["labels"] == {"team": "data"}


def test_create_inherits_the_flow_runs_labels_and_adds_its_id(api):
    flow = FlowFactory(labels={"team": "data", "tier": 1})
    flow_run = create_flow_run(api, flow_id=str(flow.id))
    body = create_task(api, flow_run_id=flow_run["id"], labels={"tier": 2}).json()
    assert body["labels"] == {
        "team": "data",
        "tier": 2,  # the client's own label wins
        "prefect.flow.id": str(flow.id),
        "prefect.flow-run.id": flow_run["id"],
    }


@pytest.mark.parametrize("name", [None, ""])
def test_create_without_a_name_gets_a_random_two_word_name(api, name):
    body = {} if name is None else {"name": name}
    names = {create_task(api, dynamic_key=str(i), **body).json()["name"] for i in range(5)}
    assert all(len(n.split("-")) == 2 for n in names)
    assert len(names) > 1


def test_create_stores_every_given_field(api):
    flow_run = create_flow_run(api)
    upstream = str(uuid.uuid4())
    body = create_task(
        api,
        flow_run_id=flow_run["id"],
        name="add-1",
        cache_key="ck",
        cache_expiration="2030-01-01T00:00:00+02:00",
        task_version="1.2",
        tags=["a", "b"],
        empirical_policy={"retries": 2, "retry_delay": [1, 2.5], "retry_jitter_factor": 0.5},
        task_inputs={
            "x": [{"input_type": "task_run", "id": upstream}],
            "y": [{"input_type": "parameter", "name": "y"}],
            "z": [{"input_type": "constant", "type": "int"}],
            "w": [{"input_type": "flow_run", "id": flow_run["id"]}],
        },
    ).json()
    assert body["name"] == "add-1"
    assert body["cache_key"] == "ck"
    assert body["cache_expiration"] == "2029-12-31T22:00:00Z"
    assert body["task_version"] == "1.2"
    assert body["tags"] == ["a", "b"]
    assert body["empirical_policy"] == {
        **POLICY_DEFAULTS,
        "retries": 2,
        "retry_delay": [1.0, 2.5],
        "retry_jitter_factor": 0.5,
    }
    assert body["task_inputs"] == {
        "x": [{"input_type": "task_run", "id": upstream}],
        "y": [{"input_type": "parameter", "name": "y"}],
        "z": [{"input_type": "constant", "type": "int"}],
        "w": [{"input_type": "flow_run", "id": flow_run["id"]}],
    }


def test_create_normalises_task_inputs_like_prefect(api):
    upstream = uuid.uuid4()
    inputs = {"x": [{"id": upstream.hex, "extra": "ignored"}]}
    body = create_task(api, task_inputs=inputs).json()
    assert body["task_inputs"] == {"x": [{"input_type": "task_run", "id": str(upstream)}]}


def test_deprecated_policy_fields_fill_the_new_ones(api):
    policy = {"max_retries": 3, "retry_delay_seconds": 5}
    body = create_task(api, empirical_policy=policy).json()
    assert body["empirical_policy"] == {
        "max_retries": 3,
        "retry_delay_seconds": 5.0,
        "retries": 3,
        "retry_delay": 5,
        "retry_jitter_factor": None,
    }


def test_create_writes_the_given_initial_state_with_force(api):
    # The flow run is not running: the task policy would abort RUNNING, the force policy not.
    flow_run = create_flow_run(api, state="PENDING")
    response = create_task(api, flow_run_id=flow_run["id"], state={"type": "RUNNING"})
    assert response.status_code == 201
    body = response.json()
    assert body["state_type"] == "RUNNING"
    assert body["run_count"] == 1
    assert body["start_time"] == body["state"]["timestamp"]


def test_same_keys_return_the_existing_task_run_unchanged_with_200(api):
    flow_run = create_flow_run(api)
    first = create_task(api, flow_run_id=flow_run["id"], name="first")
    again = create_task(
        api, flow_run_id=flow_run["id"], name="second", tags=["x"], state={"type": "RUNNING"}
    )
    assert first.status_code == 201
    assert again.status_code == 200
    assert without_lateness(again.json()) == without_lateness(first.json())
    assert TaskRun.objects.count() == 1
    assert TaskRunState.objects.count() == 1


def test_another_dynamic_key_or_flow_run_makes_a_new_task_run(api):
    flow_run = create_flow_run(api)
    first = create_task(api, flow_run_id=flow_run["id"], dynamic_key="0").json()
    other_key = create_task(api, flow_run_id=flow_run["id"], dynamic_key="1")
    other_run = create_task(api, flow_run_id=create_flow_run(api)["id"], dynamic_key="0")
    assert other_key.status_code == 201
    assert other_run.status_code == 201
    assert len({first["id"], other_key.json()["id"], other_run.json()["id"]}) == 3


def test_task_runs_outside_a_flow_run_are_also_idempotent_on_their_keys(api):
    first = create_task(api, task_key="background", dynamic_key="7")
    again = create_task(api, task_key="background", dynamic_key="7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_create_for_an_unknown_flow_run_is_a_409_integrity_conflict(api):
    response = create_task(api, flow_run_id=str(uuid.uuid4()))
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Data integrity conflict.")
    assert TaskRun.objects.count() == 0


def test_create_with_an_id_already_taken_by_another_task_run_is_a_409(api):
    taken = create_task(api, task_key="a").json()["id"]
    response = create_task(api, task_key="b", id=taken)
    assert response.status_code == 409
    assert TaskRun.objects.count() == 1


def test_create_without_a_slash_is_served_not_redirected(api):
    response = api.post(
        "/api/task_runs", {"task_key": "k", "dynamic_key": "0"}, format="json", follow=False
    )
    assert response.status_code == 201


@pytest.mark.parametrize("field", ["bogus", "created", "state_type", "flow_run_run_count"])
def test_create_rejects_unknown_fields(api, field):
    response = create_task(api, **{field: 1})
    assert response.status_code == 422
    assert response.json()["exception_detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["body", field],
            "msg": "Extra inputs are not permitted",
            "input": 1,
        }
    ]


@pytest.mark.parametrize("missing", ["task_key", "dynamic_key"])
def test_create_requires_task_key_and_dynamic_key(api, missing):
    body = {"task_key": "k", "dynamic_key": "0"}
    del body[missing]
    response = api.post("/api/task_runs/", body, format="json")
    assert response.status_code == 422
    detail = response.json()["exception_detail"]
    assert [(e["type"], e["loc"]) for e in detail] == [("missing", ["body", missing])]
    assert response.json()["request_body"] == body


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"task_inputs": {"x": [{"input_type": "parameter"}]}}, ["body", "task_inputs", "x", 0]),
        ({"empirical_policy": {"retry_delay": [1] * 51}}, ["body", "empirical_policy"]),
        ({"empirical_policy": {"retry_jitter_factor": -1}}, ["body", "empirical_policy"]),
        ({"cache_key": "k" * 2001}, ["body", "cache_key"]),
        ({"state": {"type": "RUNNING", "timestamp": "2021-01-01"}}, ["body", "state"]),
        ({"labels": {"a": [1]}}, ["body", "labels"]),
    ],
)
def test_create_validates_nested_values(api, body, loc):
    response = create_task(api, **body)
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["exception_detail"]]
    assert all(found[: len(loc)] == loc for found in locs), locs


# --- read, rename, delete ----------------------------------------------------------------------


def test_read_returns_what_create_returned(api):
    created = new_task(api, create_flow_run(api)["id"])
    response = api.get(f"/api/task_runs/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == TASK_RUN_KEYS
    assert without_lateness(body) == without_lateness(created)


def test_read_accepts_an_id_without_dashes(api):
    created = new_task(api)
    assert api.get(f"/api/task_runs/{uuid.UUID(created['id']).hex}").json()["id"] == created["id"]


def test_read_of_an_unknown_task_run_is_404_in_prefects_words(api):
    response = api.get(f"/api/task_runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Task not found"}


def test_a_non_uuid_id_does_not_match_the_route(api):
    response = api.get("/api/task_runs/not-a-uuid")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_get_on_the_collection_is_405(api):
    response = api.get("/api/task_runs/")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_patch_renames_the_task_run(api):
    created = new_task(api, name="old")
    response = api.patch(f"/api/task_runs/{created['id']}", {"name": "new"}, format="json")
    assert response.status_code == 204
    assert response.content == b""
    task_run = TaskRun.objects.get(pk=created["id"])
    assert task_run.name == "new"
    assert task_run.updated > datetime.fromisoformat(created["updated"].replace("Z", "+00:00"))


def test_patch_with_null_name_picks_a_random_name_and_an_empty_body_changes_nothing(api):
    created = new_task(api, name="keep")
    assert api.patch(f"/api/task_runs/{created['id']}", {}, format="json").status_code == 204
    assert TaskRun.objects.get(pk=created["id"]).name == "keep"
    api.patch(f"/api/task_runs/{created['id']}", {"name": None}, format="json")
    name = TaskRun.objects.get(pk=created["id"]).name
    assert name != "keep"
    assert len(name.split("-")) == 2


def test_patch_rejects_other_fields(api):
    created = new_task(api)
    response = api.patch(f"/api/task_runs/{created['id']}", {"tags": ["x"]}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "extra_forbidden"


def test_patch_of_an_unknown_task_run_is_404(api):
    response = api.patch(f"/api/task_runs/{uuid.uuid4()}", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Task run not found"}


def test_delete_removes_the_task_run_and_its_states_and_unlinks_its_subflow(api):
    flow_run = create_flow_run(api)
    task = new_task(api, flow_run["id"])
    set_state(api, task["id"], "RUNNING")
    subflow = create_flow_run(api, parent_task_run_id=task["id"])
    other = new_task(api, flow_run["id"])

    response = api.delete(f"/api/task_runs/{task['id']}")

    assert response.status_code == 204
    assert not TaskRun.objects.filter(pk=task["id"]).exists()
    assert not TaskRunState.objects.filter(task_run_id=task["id"]).exists()
    assert FlowRun.objects.get(pk=subflow["id"]).parent_task_run_id is None
    assert TaskRun.objects.filter(pk=other["id"]).exists()
    assert TaskRunState.objects.filter(task_run_id=other["id"]).count() == 1


def test_delete_of_an_unknown_task_run_is_404(api):
    response = api.delete(f"/api/task_runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Task not found"}


# --- set_state ---------------------------------------------------------------------------------


def test_running_inside_a_running_flow_is_accepted_with_201(api):
    task = new_task(api, create_flow_run(api, "RUNNING")["id"])
    response = set_state(api, task["id"], "RUNNING")
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["state", "status", "details"]
    assert body["status"] == "ACCEPT"
    assert body["details"] == {"type": "accept_details"}
    assert list(body["state"]) == STATE_KEYS
    assert body["state"]["type"] == "RUNNING"
    assert body["state"]["state_details"]["task_run_id"] == task["id"]
    read = api.get(f"/api/task_runs/{task['id']}").json()
    assert read["state_id"] == body["state"]["id"]
    assert read["run_count"] == 1
    assert read["flow_run_run_count"] == 1
    assert read["start_time"] == body["state"]["timestamp"]


@pytest.mark.parametrize("flow_state", ["PENDING", "SCHEDULED", "COMPLETED", "CANCELLING"])
def test_running_while_the_flow_run_is_not_running_is_aborted_with_200(api, flow_state):
    task = new_task(api, create_flow_run(api, flow_state)["id"])
    response = set_state(api, task["id"], "RUNNING")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ABORT"
    assert body["details"] == {"type": "abort_details", "reason": NOT_RUNNING}
    assert body["state"]["type"] == "PENDING"  # the current state, unchanged
    assert TaskRun.objects.get(pk=task["id"]).state_type == "PENDING"


def test_running_while_the_flow_run_is_paused_is_rejected_as_not_ready(api):
    flow_run = create_flow_run(api, "RUNNING")
    task = new_task(api, flow_run["id"])
    api.post(
        f"/api/flow_runs/{flow_run['id']}/set_state",
        {"state": {"type": "PAUSED"}, "force": True},
        format="json",
    )
    response = set_state(api, task["id"], "RUNNING")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["state"]["type"] == "PAUSED"
    assert body["state"]["name"] == "NotReady"
    assert body["details"]["reason"] == (
        f"The flow is paused, new tasks can execute after resuming flow run: {flow_run['id']}."
    )


def test_a_finished_task_cannot_crash_or_be_paused(api):
    task = new_task(api, create_flow_run(api, "RUNNING")["id"])
    set_state(api, task["id"], "RUNNING")
    assert set_state(api, task["id"], "COMPLETED").json()["status"] == "ACCEPT"
    for proposed in ("CRASHED", "PAUSED", "CANCELLING"):
        body = set_state(api, task["id"], proposed).json()
        assert body["status"] == "ABORT"
        assert body["details"]["reason"] == "Run is already COMPLETED."
    assert TaskRun.objects.get(pk=task["id"]).state_type == "COMPLETED"


def test_force_writes_what_the_policy_would_refuse(api):
    task = new_task(api, create_flow_run(api, "PENDING")["id"])
    response = set_state(api, task["id"], "RUNNING", force=True)
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert TaskRun.objects.get(pk=task["id"]).state_type == "RUNNING"


def test_a_failed_task_with_retries_left_is_rescheduled_as_awaiting_retry(api):
    flow_run = create_flow_run(api, "RUNNING")
    task = new_task(api, flow_run["id"], empirical_policy={"retries": 1, "retry_delay": 10})
    set_state(api, task["id"], "RUNNING")
    response = set_state(api, task["id"], "FAILED", message="boom")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "REJECT"
    assert body["state"]["type"] == "SCHEDULED"
    assert body["state"]["name"] == "AwaitingRetry"
    scheduled = datetime.fromisoformat(body["state"]["state_details"]["scheduled_time"][:-1])
    timestamp = datetime.fromisoformat(body["state"]["timestamp"][:-1])
    assert timedelta(seconds=9) < scheduled - timestamp < timedelta(seconds=11)


def test_set_state_on_an_unknown_task_run_is_404_with_exception_message(api):
    task_run_id = uuid.uuid4()
    response = set_state(api, str(task_run_id), "RUNNING")
    assert response.status_code == 404
    assert response.json() == {"exception_message": f"Task run with id {task_run_id} not found"}


def test_set_state_requires_a_state_and_ignores_unknown_top_level_keys(api):
    task = new_task(api)
    missing = api.post(f"/api/task_runs/{task['id']}/set_state", {"x": 1}, format="json")
    assert missing.status_code == 422
    assert missing.json()["exception_detail"][0]["loc"] == ["body", "state"]
    body = {"state": {"type": "PENDING"}, "bogus": 1}
    ignored = api.post(f"/api/task_runs/{task['id']}/set_state", body, format="json")
    assert ignored.status_code in (200, 201)


# --- filter and count --------------------------------------------------------------------------


@pytest.fixture
def runs(api) -> dict[str, Any]:
    """Two flow runs; `a` has three task runs in different states, `b` one, plus one task run
    outside any flow run."""
    a = create_flow_run(api, "RUNNING", tags=["nightly"])
    b = create_flow_run(api, "RUNNING")
    t1 = new_task(api, a["id"], name="alpha", tags=["db"])
    t2 = new_task(api, a["id"], name="beta", tags=["db", "slow"])
    t3 = new_task(api, a["id"], name="gamma")
    t4 = new_task(api, b["id"], name="delta")
    t5 = new_task(api, name="epsilon")
    set_state(api, t2["id"], "RUNNING")
    set_state(api, t3["id"], "RUNNING")
    set_state(api, t3["id"], "COMPLETED")
    return {"a": a, "b": b, "t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5}


def test_filter_returns_full_task_runs_newest_id_first_by_default(api, runs):
    response = api.post("/api/task_runs/filter")
    assert response.status_code == 200
    body = response.json()
    assert all(list(run) == TASK_RUN_KEYS for run in body)
    ids = [run["id"] for run in body]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 5


def test_filter_by_flow_run_id(api, runs):
    ids = filter_ids(api, task_runs={"flow_run_id": {"any_": [runs["a"]["id"]]}})
    assert set(ids) == {runs["t1"]["id"], runs["t2"]["id"], runs["t3"]["id"]}


def test_filter_flow_run_id_without_any_keeps_only_task_runs_in_a_flow_run(api, runs):
    inside = filter_ids(api, task_runs={"flow_run_id": {}})
    outside = filter_ids(api, task_runs={"flow_run_id": {"is_null_": True}})
    assert runs["t5"]["id"] not in inside
    assert len(inside) == 4
    assert outside == [runs["t5"]["id"]]


@pytest.mark.parametrize(
    ("task_filter", "expected"),
    [
        ({"name": {"any_": ["alpha", "delta"]}}, {"t1", "t4"}),
        ({"name": {"like_": "ALP"}}, {"t1"}),
        ({"tags": {"all_": ["db", "slow"]}}, {"t2"}),
        ({"state": {"type": {"any_": ["RUNNING", "COMPLETED"]}}}, {"t2", "t3"}),
        ({"state": {"name": {"any_": ["Pending"]}}}, {"t1", "t4", "t5"}),
        (
            {"operator": "or_", "name": {"any_": ["alpha"]}, "tags": {"all_": ["slow"]}},
            {"t1", "t2"},
        ),
        ({"start_time": {"is_null_": False}}, {"t2", "t3"}),
        ({"end_time": {"is_null_": False}}, {"t3"}),
        ({"name": {"any_": []}}, set()),
    ],
)
def test_filter_operators(api, runs, task_filter, expected):
    ids = filter_ids(api, task_runs=task_filter)
    assert set(ids) == {runs[key]["id"] for key in expected}


def test_filter_by_the_flow_runs_side(api, runs):
    by_tag = filter_ids(api, flow_runs={"tags": {"all_": ["nightly"]}})
    by_id = filter_ids(api, flow_runs={"id": {"any_": [runs["b"]["id"]]}})
    by_flow = filter_ids(api, flows={"id": {"any_": [runs["b"]["flow_id"]]}})
    assert set(by_tag) == {runs["t1"]["id"], runs["t2"]["id"], runs["t3"]["id"]}
    assert by_id == [runs["t4"]["id"]]
    assert by_flow == [runs["t4"]["id"]]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("NAME_ASC", ["t1", "t2", "t4", "t5", "t3"]),
        ("NAME_DESC", ["t3", "t5", "t4", "t2", "t1"]),
        ("EXPECTED_START_TIME_ASC", ["t1", "t2", "t3", "t4", "t5"]),
        ("EXPECTED_START_TIME_DESC", ["t5", "t4", "t3", "t2", "t1"]),
    ],
)
def test_filter_sorts(api, runs, sort, expected):
    assert filter_ids(api, sort=sort) == [runs[key]["id"] for key in expected]


def test_end_time_desc_puts_unfinished_task_runs_first(api, runs):
    ids = filter_ids(api, sort="END_TIME_DESC")
    assert ids[-1] == runs["t3"]["id"]


def test_filter_rejects_an_unknown_sort(api):
    response = api.post("/api/task_runs/filter", {"sort": "START_TIME_ASC"}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "sort"]


def test_filter_pages_with_limit_and_offset(api, runs):
    everything = filter_ids(api, sort="NAME_ASC")
    assert filter_ids(api, sort="NAME_ASC", limit=2, offset=1) == everything[1:3]
    assert filter_ids(api, limit=0) == []


@pytest.mark.parametrize(
    ("limit", "detail"),
    [
        (201, "Invalid limit: must be less than or equal to 200."),
        (-1, "Invalid limit: must be greater than or equal to 0."),
    ],
)
def test_filter_limit_out_of_bounds_is_422_detail(api, limit, detail):
    response = api.post("/api/task_runs/filter", {"limit": limit}, format="json")
    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_filter_rejects_unknown_keys_inside_a_filter(api):
    response = api.post("/api/task_runs/filter", {"task_runs": {"bogus": 1}}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "task_runs", "bogus"]


def test_count_uses_the_same_filters(api, runs):
    def count(**body):
        response = api.post("/api/task_runs/count", body, format="json")
        assert response.status_code == 200
        return response.json()

    assert count() == 5
    assert count(task_runs={"flow_run_id": {"any_": [runs["a"]["id"]]}}) == 3
    assert count(task_runs={"state": {"type": {"any_": ["COMPLETED"]}}}) == 1
    assert count(flow_runs={"id": {"any_": [str(uuid.uuid4())]}}) == 0


def test_filter_reads_a_page_in_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    flow_run = FlowRunFactory()
    for _ in range(20):
        TaskRunFactory(flow_run=flow_run)
    with django_assert_max_num_queries(1):
        assert len(filter_ids(api)) == 20


# --- races (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_fifty_concurrent_creates_of_one_task_make_one_task_run(attempt):
    flow_run_id = create_flow_run(APIClient())["id"]
    body = {"flow_run_id": flow_run_id, "task_key": "racy", "dynamic_key": str(attempt)}
    barrier = threading.Barrier(50)
    results: list[Any] = [None] * 50

    def worker(i: int) -> None:
        try:
            barrier.wait()
            response = APIClient().post("/api/task_runs/", body, format="json")
            results[i] = (response.status_code, response.json()["id"])
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not [r for r in results if not isinstance(r, tuple)], results
    assert Counter(status for status, _ in results) == {201: 1, 200: 49}
    assert len({task_run_id for _, task_run_id in results}) == 1
    assert TaskRun.objects.filter(flow_run_id=flow_run_id).count() == 1
    assert TaskRunState.objects.filter(task_run__flow_run_id=flow_run_id).count() == 1


# --- documentation -----------------------------------------------------------------------------


def test_task_run_response_is_documented_field_for_field(api):
    schema = api.get("/api/schema/?format=json").json()
    content = schema["paths"]["/api/task_runs/"]["post"]["responses"]["201"]["content"]
    ref = content["application/json"]["schema"]["$ref"].split("/")[-1]
    documented = schema["components"]["schemas"][ref]["properties"]
    assert list(documented) == list(new_task(api))
    assert "/api/task_runs" not in schema["paths"]
    request = schema["paths"]["/api/task_runs/"]["post"]["requestBody"]["content"]
    body_ref = request["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"task_key", "dynamic_key"} <= set(schema["components"]["schemas"][body_ref]["required"])
