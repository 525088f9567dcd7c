import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.models import FlowRun, FlowRunState
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    TaskRunFactory,
    WorkPoolFactory,
    WorkQueueFactory,
)

pytestmark = pytest.mark.django_db

RESPONSE_KEYS = [
    "id", "created", "updated", "name", "flow_id", "state_id", "deployment_id",
    "deployment_version", "work_queue_id", "work_queue_name", "flow_version", "parameters",
    "idempotency_key", "context", "empirical_policy", "tags", "labels", "parent_task_run_id",
    "state_type", "state_name", "run_count", "expected_start_time",
    "next_scheduled_start_time", "start_time", "end_time", "total_run_time",
    "estimated_run_time", "estimated_start_time_delta", "auto_scheduled",
    "infrastructure_document_id", "infrastructure_pid", "created_by", "work_pool_id",
    "work_pool_name", "state", "job_variables",
]  # fmt: skip
STATE_KEYS = ["id", "type", "name", "timestamp", "message", "data", "state_details"]
DETAIL_KEYS = [
    "flow_run_id", "task_run_id", "child_flow_run_id", "scheduled_time", "cache_key",
    "cache_expiration", "deferred", "untrackable_result", "pause_timeout", "pause_reschedule",
    "pause_key", "run_input_keyset", "refresh_cache", "retriable", "transition_id",
    "task_parameters_id", "traceparent", "deployment_concurrency_lease_id",
]  # fmt: skip


def parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def create(api, **body):
    body.setdefault("flow_id", str(FlowFactory().id))
    return api.post("/api/flow_runs/", body, format="json")


def test_create_without_state_makes_a_pending_run_with_every_field(api):
    flow = FlowFactory()
    response = create(api, flow_id=str(flow.id))
    assert response.status_code == 201
    body = response.json()
    assert list(body) == RESPONSE_KEYS
    assert body["state_type"] == "PENDING"
    assert body["state_name"] == "Pending"
    assert list(body["state"]) == STATE_KEYS
    assert list(body["state"]["state_details"]) == DETAIL_KEYS
    assert body["state"]["state_details"]["flow_run_id"] == body["id"]
    assert body["state_id"] == body["state"]["id"]
    assert body["expected_start_time"] == body["state"]["timestamp"]
    assert body["labels"] == {"prefect.flow.id": str(flow.id)}
    assert body["job_variables"] == {}
    assert body["empirical_policy"] == {
        "max_retries": 0,
        "retry_delay_seconds": 0.0,
        "retries": None,
        "retry_delay": None,
        "pause_keys": [],
        "resuming": False,
        "retry_type": None,
    }
    assert body["run_count"] == 0
    assert body["total_run_time"] == 0.0
    assert body["estimated_start_time_delta"] >= 0.0
    assert body["created"].endswith("Z")
    assert uuid.UUID(body["state"]["id"]).version == 7
    assert FlowRunState.objects.filter(flow_run_id=body["id"]).count() == 1


def test_create_without_name_gets_a_random_two_word_name(api):
    names = {create(api).json()["name"] for _ in range(5)}
    assert all(len(name.split("-")) == 2 for name in names)
    assert len(names) > 1


def test_create_keeps_any_given_name(api):
    assert create(api, name="weird/name, ok").json()["name"] == "weird/name, ok"


def test_idempotency_key_returns_the_existing_run_unchanged_with_200(api):
    flow = FlowFactory()
    first = create(api, flow_id=str(flow.id), idempotency_key="k1", name="first")
    again = create(api, flow_id=str(flow.id), idempotency_key="k1", name="second", tags=["x"])
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["name"] == "first"
    assert again.json()["tags"] == []
    assert FlowRunState.objects.filter(flow_run_id=first.json()["id"]).count() == 1


def test_same_idempotency_key_under_another_flow_creates_a_new_run(api):
    first = create(api, idempotency_key="shared")
    second = create(api, idempotency_key="shared")
    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]


def test_create_for_unknown_flow_is_a_409_integrity_conflict(api):
    response = create(api, flow_id=str(uuid.uuid4()))
    assert response.status_code == 409
    assert "Data integrity conflict" in response.json()["detail"]
    assert FlowRun.objects.count() == 0


def test_create_with_unknown_parent_task_run_is_a_409(api):
    assert create(api, parent_task_run_id=str(uuid.uuid4())).status_code == 409


def test_create_links_a_subflow_to_its_parent_task_run(api):
    parent_task = TaskRunFactory()
    body = create(api, parent_task_run_id=str(parent_task.id)).json()
    assert body["parent_task_run_id"] == str(parent_task.id)
    assert body["state"]["state_details"]["task_run_id"] == str(parent_task.id)


@pytest.mark.parametrize("field", ["id", "created", "state_type", "bogus"])
def test_create_rejects_unknown_fields(api, field):
    response = create(api, **{field: "x"})
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "extra_forbidden"
    assert FlowRun.objects.count() == 0


@pytest.mark.parametrize("field", ["parameters", "context", "tags", "empirical_policy"])
def test_create_rejects_null_for_non_nullable_fields(api, field):
    response = create(api, **{field: None})
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"][:2] == ["body", field]


def test_create_rejects_parameters_over_the_size_limit(api, settings):
    settings.PREFECT_MAX_PARAMETER_SIZE = 100
    response = create(api, parameters={"x": "y" * 200})
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert error["type"] == "value_error"
    assert error["loc"] == ["body", "parameters"]
    assert error["msg"] == (
        "Value error, Flow run parameters must be less than 100 bytes when serialized "
        "(got 208 bytes)."
    )


def test_create_with_running_state_starts_the_run(api):
    body = create(api, state={"type": "RUNNING"}).json()
    assert body["state_type"] == "RUNNING"
    assert body["run_count"] == 1
    assert body["start_time"] == body["state"]["timestamp"]


def test_create_with_completed_state_sets_start_end_and_expected_times(api):
    body = create(api, state={"type": "COMPLETED"}).json()
    stamp = body["state"]["timestamp"]
    assert body["start_time"] == body["end_time"] == body["expected_start_time"] == stamp


def test_create_with_scheduled_state_sets_expected_and_next_scheduled_times(api):
    when = "2031-07-01T00:00:00Z"
    body = create(api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": when}})
    body = body.json()
    assert body["expected_start_time"] == when
    assert body["next_scheduled_start_time"] == when
    assert body["state"]["state_details"]["scheduled_time"] == when


def test_create_with_state_data_stores_it(api):
    body = create(api, state={"type": "COMPLETED", "data": {"type": "reference", "k": 1}}).json()
    assert body["state"]["data"] == {"type": "reference", "k": 1}
    assert api.get(f"/api/flow_runs/{body['id']}").json()["state"]["data"]["k"] == 1


def test_create_state_rejects_client_timestamps(api):
    response = create(api, state={"type": "PENDING", "timestamp": "2020-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body", "state", "timestamp"]


def test_create_records_the_automation_that_created_the_run(api):
    automation = uuid.uuid4()
    name = base64.b64encode(b"nightly").decode()
    response = api.post(
        "/api/flow_runs/",
        {"flow_id": str(FlowFactory().id)},
        format="json",
        HTTP_PREFECT_AUTOMATION_ID=str(automation),
        HTTP_PREFECT_AUTOMATION_NAME=name,
    )
    assert response.json()["created_by"] == {
        "id": str(automation),
        "type": "AUTOMATION",
        "display_value": "nightly",
    }


def test_create_ignores_automation_headers_that_do_not_decode(api):
    response = api.post(
        "/api/flow_runs/",
        {"flow_id": str(FlowFactory().id)},
        format="json",
        HTTP_PREFECT_AUTOMATION_ID=str(uuid.uuid4()),
        HTTP_PREFECT_AUTOMATION_NAME="***not base64***",
    )
    assert response.json()["created_by"] is None


def test_user_labels_are_merged_over_flow_and_system_labels(api):
    flow = FlowFactory(labels={"team": "data", "tier": 1})
    body = create(api, flow_id=str(flow.id), labels={"tier": 2, "prefect.flow.id": "mine"})
    assert body.json()["labels"] == {"team": "data", "tier": 2, "prefect.flow.id": "mine"}


def test_work_pool_name_resolves_the_default_queue(api):
    pool = WorkPoolFactory(name="pool")
    queue = WorkQueueFactory(work_pool=pool, name="default")
    body = create(api, work_pool_name="pool").json()
    assert body["work_queue_id"] == str(queue.id)
    assert body["work_queue_name"] == "default"
    assert body["work_pool_id"] == str(pool.id)
    assert body["work_pool_name"] == "pool"
    assert FlowRun.objects.get(pk=body["id"]).work_queue_name is None


def test_unknown_work_pool_is_a_404(api):
    response = create(api, work_pool_name="nope")
    assert response.status_code == 404
    assert response.json() == {"detail": 'Work pool "nope" not found.'}


def test_unknown_work_queue_in_a_pool_is_a_404(api):
    WorkPoolFactory(name="pool")
    response = create(api, work_pool_name="pool", work_queue_name="q")
    assert response.status_code == 404
    assert response.json() == {"detail": "Work pool queue 'pool/q' not found."}


def test_work_queue_name_without_pool_is_just_stored(api):
    body = create(api, work_queue_name="loose").json()
    assert body["work_queue_name"] == "loose"
    assert body["work_queue_id"] is None


def test_read_flow_run(api):
    created = create(api).json()
    response = api.get(f"/api/flow_runs/{created['id']}")
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]
    assert list(response.json()) == RESPONSE_KEYS


def test_read_unknown_flow_run_is_404(api):
    response = api.get(f"/api/flow_runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}


def test_running_run_estimates_its_run_time_live(api):
    created = create(api, state={"type": "RUNNING"}).json()
    FlowRun.objects.filter(pk=created["id"]).update(
        state_timestamp=datetime.now(UTC) - timedelta(seconds=30)
    )
    body = api.get(f"/api/flow_runs/{created['id']}").json()
    assert 29 < body["estimated_run_time"] < 60


def test_patch_writes_only_given_fields(api):
    created = create(api, name="keep", tags=["a"], flow_version="1").json()
    response = api.patch(
        f"/api/flow_runs/{created['id']}", {"tags": ["b"], "flow_version": None}, format="json"
    )
    assert response.status_code == 204
    body = api.get(f"/api/flow_runs/{created['id']}").json()
    assert body["tags"] == ["b"]
    assert body["flow_version"] is None
    assert body["name"] == "keep"
    assert parse(body["updated"]) > parse(created["updated"])


@pytest.mark.parametrize("name", [None, ""])
def test_patch_with_empty_name_gives_a_fresh_random_name(api, name):
    created = create(api, name="named").json()
    api.patch(f"/api/flow_runs/{created['id']}", {"name": name}, format="json")
    new_name = api.get(f"/api/flow_runs/{created['id']}").json()["name"]
    assert new_name != "named"
    assert len(new_name.split("-")) == 2


def test_patch_empirical_policy_replaces_it_whole(api):
    created = create(api, empirical_policy={"retries": 3, "retry_delay": 5}).json()
    api.patch(
        f"/api/flow_runs/{created['id']}", {"empirical_policy": {"retries": 1}}, format="json"
    )
    policy = api.get(f"/api/flow_runs/{created['id']}").json()["empirical_policy"]
    assert policy["retries"] == 1
    assert policy["retry_delay"] is None


def test_patch_rejects_unknown_fields_and_missing_body(api):
    created = create(api).json()
    assert (
        api.patch(f"/api/flow_runs/{created['id']}", {"labels": {}}, format="json").status_code
        == 422
    )
    response = api.generic("PATCH", f"/api/flow_runs/{created['id']}", "")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body"]


def test_patch_unknown_run_is_404(api):
    response = api.patch(f"/api/flow_runs/{uuid.uuid4()}", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}


def test_job_variables_can_only_change_on_scheduled_runs(api):
    created = create(api).json()
    response = api.patch(
        f"/api/flow_runs/{created['id']}", {"job_variables": {"a": 1}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Job variables for a flow run in state PENDING cannot be updated"
    }


def test_delete_run_removes_it_and_its_states(api):
    created = create(api).json()
    response = api.delete(f"/api/flow_runs/{created['id']}")
    assert response.status_code == 204
    assert not FlowRun.objects.filter(pk=created["id"]).exists()
    assert not FlowRunState.objects.filter(flow_run_id=created["id"]).exists()


def test_delete_unknown_run_is_404(api):
    response = api.delete(f"/api/flow_runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}


def test_labels_patch_merges_shallowly(api):
    created = create(api, labels={"a": 1, "b": "x"}).json()
    response = api.patch(
        f"/api/flow_runs/{created['id']}/labels", {"b": "y", "c": True}, format="json"
    )
    assert response.status_code == 204
    labels = api.get(f"/api/flow_runs/{created['id']}").json()["labels"]
    assert labels == {"prefect.flow.id": created["flow_id"], "a": 1, "b": "y", "c": True}


def test_labels_patch_rejects_non_scalar_values(api):
    created = create(api).json()
    response = api.patch(f"/api/flow_runs/{created['id']}/labels", {"a": [1]}, format="json")
    assert response.status_code == 422
    response = api.patch(f"/api/flow_runs/{created['id']}/labels", [1], format="json")
    assert response.status_code == 422


def test_labels_patch_on_unknown_run_is_404_with_exception_message(api):
    run_id = uuid.uuid4()
    response = api.patch(f"/api/flow_runs/{run_id}/labels", {"a": 1}, format="json")
    assert response.status_code == 404
    assert response.json() == {"exception_message": f"Flow run with id {run_id} not found"}


def test_flow_run_states_lists_history_oldest_first(api):
    created = create(api).json()
    response = api.get(f"/api/flow_run_states/?flow_run_id={created['id']}")
    assert response.status_code == 200
    states = response.json()
    assert [s["id"] for s in states] == [created["state_id"]]
    one = api.get(f"/api/flow_run_states/{created['state_id']}")
    assert one.json()["type"] == "PENDING"


def test_flow_run_states_needs_flow_run_id(api):
    response = api.get("/api/flow_run_states/")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["query", "flow_run_id"]


def test_unknown_flow_run_state_is_404(api):
    response = api.get(f"/api/flow_run_states/{uuid.uuid4()}")
    assert response.json() == {"detail": "Flow run state not found"}


def scheduled_deployment_run(api, template_variables):
    pool = WorkPoolFactory(base_job_template={"variables": template_variables})
    queue = WorkQueueFactory(work_pool=pool, name="default")
    deployment = DeploymentFactory(work_queue=queue, job_variables={"image": "base"})
    body = {"flow_id": str(deployment.flow_id), "deployment_id": str(deployment.id)}
    return create(api, state={"type": "SCHEDULED"}, **body).json()["id"]


def test_job_variables_are_validated_against_the_pools_job_template(api):
    schema = {
        "type": "object",
        "properties": {"image": {"type": "string"}, "cpu": {"type": "integer", "default": 1}},
        "required": ["image"],
    }
    run_id = scheduled_deployment_run(api, schema)

    ok = api.patch(f"/api/flow_runs/{run_id}", {"job_variables": {"cpu": 2}}, format="json")
    assert ok.status_code == 204
    assert api.get(f"/api/flow_runs/{run_id}").json()["job_variables"] == {"cpu": 2}

    bad = api.patch(f"/api/flow_runs/{run_id}", {"job_variables": {"cpu": "two"}}, format="json")
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": "Error updating flow run: Validation failed for field 'cpu'. "
        "Failure reason: 'two' is not of type 'integer'"
    }
    assert api.get(f"/api/flow_runs/{run_id}").json()["job_variables"] == {"cpu": 2}


def test_job_variables_without_a_deployment_are_refused(api):
    run_id = create(api, state={"type": "SCHEDULED"}).json()["id"]
    response = api.patch(f"/api/flow_runs/{run_id}", {"job_variables": {"a": 1}}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "A deployment for the flow run could not be found"}
