"""Pools over the API: create (with its default queue), read, filter, count, update, delete
(spec/work_pools.md §3)."""

from __future__ import annotations

import pytest

from flowruns.models import FlowRun, WorkPool, WorkQueue
from tests.factories import FlowRunFactory, WorkerFactory

from .helpers import PROCESS_TEMPLATE, errors, pool

pytestmark = pytest.mark.django_db

POOL_KEYS = [
    "id", "created", "updated", "name", "description", "type", "base_job_template",
    "is_paused", "concurrency_limit", "status", "default_queue_id", "storage_configuration",
    "active_slots",
]  # fmt: skip


def test_create_answers_the_pool_in_prefect_key_order_with_its_default_queue(api):
    body = pool(api, "p1", description="d", concurrency_limit=2)
    assert list(body) == POOL_KEYS
    assert body["status"] == "NOT_READY"
    assert body["active_slots"] == 0
    assert body["storage_configuration"] == {
        "bundle_upload_step": None,
        "bundle_execution_step": None,
        "default_result_storage_block_id": None,
    }
    default = WorkQueue.objects.get(pk=body["default_queue_id"])
    assert (default.name, default.priority, default.description) == (
        "default", 1, "The work pool's default queue."
    )  # fmt: skip


def test_create_without_type_is_a_prefect_agent_pool_with_null_status(api):
    body = api.post("/api/work_pools/", {"name": "agents"}, format="json").json()
    assert (body["type"], body["status"], body["active_slots"]) == ("prefect-agent", None, None)


def test_create_paused_is_paused_status(api):
    assert pool(api, "p", is_paused=True)["status"] == "PAUSED"


def test_create_duplicate_is_409(api):
    pool(api, "p1")
    response = api.post("/api/work_pools/", {"name": "p1"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "A work pool with this name already exists."}


def test_create_reserved_name_is_403(api):
    response = api.post("/api/work_pools/", {"name": "Prefect-x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Work pools starting with 'Prefect' are reserved for internal use."
    }
    assert not WorkPool.objects.exists()


@pytest.mark.parametrize(
    ("name", "kind"), [("a/b", "string_pattern_mismatch"), ("  ", "value_error")]
)
def test_create_rejects_bad_names(api, name, kind):
    response = api.post("/api/work_pools/", {"name": name}, format="json")
    assert errors(response)[0][0] == kind
    assert not WorkPool.objects.exists()


def test_create_rejects_unknown_keys_and_storage_keys(api):
    assert errors(api.post("/api/work_pools/", {"name": "p", "x": 1}, format="json"))[0][0] == (
        "extra_forbidden"
    )
    bad = {"name": "p", "storage_configuration": {"nope": 1}}
    assert errors(api.post("/api/work_pools/", bad, format="json"))[0][0] == "extra_forbidden"


def test_create_stores_the_process_template_verbatim(api):
    body = pool(api, "proc", base_job_template=PROCESS_TEMPLATE)
    assert body["base_job_template"] == PROCESS_TEMPLATE


def test_template_missing_a_key_is_422(api):
    bad = {"name": "p", "base_job_template": {"job_configuration": {}}}
    [(kind, _loc, msg)] = errors(api.post("/api/work_pools/", bad, format="json"))
    assert kind == "value_error"
    assert "must contain both a `job_configuration` key and a `variables` key" in msg


def test_template_with_undeclared_placeholder_is_422(api):
    template = {"job_configuration": {"c": "{{ cmd }}"}, "variables": {"properties": {}}}
    [(_, _, msg)] = errors(
        api.post("/api/work_pools/", {"name": "p", "base_job_template": template}, format="json")
    )
    assert msg.endswith("undeclared variable(s): cmd.")


def test_template_default_not_matching_its_schema_is_422_on_create_only(api):
    template = {
        "job_configuration": {"c": "{{ cmd }}"},
        "variables": {"properties": {"cmd": {"type": "integer", "default": "x"}}},
    }
    response = api.post(
        "/api/work_pools/", {"name": "p", "base_job_template": template}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "Validation failed for work pool's job variable defaults: Validation failed for field "
        "'cmd'. Failure reason: "
    )
    pool(api, "p")
    assert (
        api.patch("/api/work_pools/p", {"base_job_template": template}, format="json").status_code
        == 204
    )


def test_template_block_reference_default_is_404(api):
    template = {
        "job_configuration": {"c": "{{ cmd }}"},
        "variables": {"properties": {"cmd": {"default": {"$ref": {"block_document_id": "x"}}}}},
    }
    response = api.post(
        "/api/work_pools/", {"name": "p", "base_job_template": template}, format="json"
    )
    assert (response.status_code, response.json()) == (404, {"detail": "Block not found."})


def test_read_and_missing(api):
    created = pool(api, "p1")
    assert api.get("/api/work_pools/p1").json() == created
    response = api.get("/api/work_pools/nope")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": 'Work pool "nope" not found.'},
    )


def test_filter_orders_by_name_and_filters_by_id(api):
    b = pool(api, "b")
    pool(api, "a")
    body = {"limit": None, "offset": 0, "work_pools": None}
    assert [p["name"] for p in api.post("/api/work_pools/filter", body, format="json").json()] == [
        "a", "b"
    ]  # fmt: skip
    body = {
        "work_pools": {"operator": "and_", "id": {"any_": [b["id"]]}, "name": None, "type": None}
    }
    assert [p["name"] for p in api.post("/api/work_pools/filter", body, format="json").json()] == [
        "b"
    ]
    assert api.post("/api/work_pools/count", {}, format="json").json() == 2
    assert api.post("/api/work_pools/filter", {"limit": 201}, format="json").status_code == 422


def test_patch_pause_and_resume_move_status(api):
    pool(api, "p1")
    assert api.patch("/api/work_pools/p1", {"is_paused": True}, format="json").status_code == 204
    assert api.get("/api/work_pools/p1").json()["status"] == "PAUSED"
    api.patch("/api/work_pools/p1", {"is_paused": False}, format="json")
    assert api.get("/api/work_pools/p1").json()["status"] == "NOT_READY"
    WorkerFactory(work_pool=WorkPool.objects.get(name="p1"), status="ONLINE")
    api.patch("/api/work_pools/p1", {"is_paused": True}, format="json")
    api.patch("/api/work_pools/p1", {"is_paused": False}, format="json")
    assert api.get("/api/work_pools/p1").json()["status"] == "READY"


def test_patch_writes_only_present_keys_and_null_clears_the_limit(api):
    pool(api, "p1", description="d", concurrency_limit=3)
    api.patch("/api/work_pools/p1", {"concurrency_limit": None}, format="json")
    body = api.get("/api/work_pools/p1").json()
    assert (body["description"], body["concurrency_limit"], body["active_slots"]) == (
        "d",
        None,
        None,
    )


def test_patch_rejects_type_and_name(api):
    pool(api, "p1")
    assert errors(api.patch("/api/work_pools/p1", {"type": "docker"}, format="json"))[0][0] == (
        "extra_forbidden"
    )
    assert api.patch("/api/work_pools/nope", {}, format="json").status_code == 404


def test_active_slots_counts_pending_and_running_runs_of_the_pool(api):
    body = pool(api, "p1", concurrency_limit=5)
    queue = WorkQueue.objects.get(pk=body["default_queue_id"])
    for state in ("PENDING", "RUNNING", "SCHEDULED", "COMPLETED"):
        FlowRunFactory(work_queue=queue, state_type=state)
    assert api.get("/api/work_pools/p1").json()["active_slots"] == 2


def test_delete_removes_queues_and_workers_and_detaches_runs(api):
    body = pool(api, "p1")
    run = FlowRunFactory(work_queue_id=body["default_queue_id"])
    WorkerFactory(work_pool=WorkPool.objects.get(pk=body["id"]))
    assert api.delete("/api/work_pools/p1").status_code == 204
    assert not WorkQueue.objects.exists()
    run = FlowRun.objects.get(pk=run.pk)
    assert run.work_queue_id is None
    assert api.delete("/api/work_pools/p1").status_code == 404


def test_delete_reserved_is_403(api):
    WorkPool.objects.create(name="prefect-internal")
    response = api.delete("/api/work_pools/prefect-internal")
    assert response.status_code == 403
    assert "can not be deleted" in response.json()["detail"]
