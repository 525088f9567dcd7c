"""The lean read (`GET /flow_runs/{id}`, one prepared statement into a light row) answers
byte for byte what the serializer makes of the full model instance, the path it took before,
and create's answer (the run as written, from memory) is the same JSON: state details,
parameters, tags, labels, null fields, work pools, parent task runs, running runs' live
estimates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from flowruns.api.serializers import FlowRunSerializer
from flowruns.api.wire.rendering import PrefectJSONRenderer
from flowruns.models import FlowRun
from flowruns.selectors.flow_runs import flow_run_get
from tests.factories import FlowFactory, FlowRunFactory, WorkQueueFactory
from tests.flowruns.api.hot_paths.bodies import full_run_body
from tests.flowruns.api.task_runs.helpers import create_flow_run, new_task

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)


def _instance_bytes(run_id: str) -> bytes:
    run = flow_run_get(run_id)
    return PrefectJSONRenderer().render(FlowRunSerializer(run).data)


def _assert_same(api, run_id: str, created: bytes | None = None) -> None:
    with mock.patch.object(timezone, "now", return_value=NOW):
        lean = api.get(f"/api/flow_runs/{run_id}").content
        before = _instance_bytes(run_id)
    assert lean == before
    if created is not None:
        # Create answers the run as written (from memory, as Prefect does): the same JSON;
        # stored JSON comes back in PostgreSQL's jsonb key order, the answer in the client's.
        assert json.loads(created) == json.loads(before)


def _post(api, body) -> tuple[str, bytes]:
    """Create at the fixed instant, so that the answer's live estimates can be compared."""
    with mock.patch.object(timezone, "now", return_value=NOW):
        response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"], response.content


def test_run_with_state_details_parameters_tags_and_labels(api):
    flow = FlowFactory(labels={"team": "data"})
    body = full_run_body(str(flow.id), "naïve-run ✓")
    run_id, created = _post(api, body)
    _assert_same(api, run_id, created)
    assert b'"deep":"\xc3\xbcn\xc3\xafcode"' in created  # UTF-8, not \u escapes


def test_running_run_with_live_estimates(api):
    run = create_flow_run(api, state="RUNNING")
    FlowRun.objects.filter(pk=run["id"]).update(
        state_timestamp=NOW - timedelta(seconds=42),
        expected_start_time=NOW - timedelta(minutes=5),
        start_time=None,
    )
    _assert_same(api, run["id"])


def test_run_without_state_and_with_null_fields(api):
    run = FlowRunFactory(
        parameters={}, tags=[], labels=None, empirical_policy={}, job_variables=None
    )
    assert run.state_id is None
    _assert_same(api, str(run.id))


def test_run_in_a_work_pool_with_deployment_and_parent_task_run(api):
    queue = WorkQueueFactory()
    parent = create_flow_run(api)
    task = new_task(api, flow_run_id=parent["id"])
    body = {
        "flow_id": str(FlowFactory().id),
        "work_pool_name": queue.work_pool.name,
        "work_queue_name": queue.name,
        "parent_task_run_id": task["id"],
        "deployment_id": "6a1c1d1e-1d2f-4c8a-9a3b-5a4b3c2d1e0f",
        "state": {"type": "PENDING"},
    }
    run_id, created = _post(api, body)
    answer = api.get(f"/api/flow_runs/{run_id}").json()
    assert answer["work_pool_name"] == queue.work_pool.name
    assert answer["parent_task_run_id"] == task["id"]
    _assert_same(api, run_id, created)


def test_completed_run_after_transitions(api):
    run = create_flow_run(api, state="RUNNING")
    response = api.post(
        f"/api/flow_runs/{run['id']}/set_state",
        {"state": {"type": "COMPLETED", "message": "done", "data": {"x": 1}}},
        format="json",
    )
    assert response.json()["status"] == "ACCEPT"
    _assert_same(api, run["id"])
