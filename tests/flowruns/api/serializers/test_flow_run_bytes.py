"""The flow-run lists render byte for byte what the serializer made before its fast paths
(`reference.py`, a frozen copy): every field populated, nulls, unicode, large integers,
floats, nested parameters and state details, runs running and late, with and without pools,
as light rows, as model instances and through `/filter`, `/paginate` and the read by id."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from flowruns.api.serializers import FlowRunSerializer
from flowruns.api.wire.rendering import PrefectJSONRenderer
from flowruns.models import FlowRun, FlowRunState
from flowruns.selectors.flow_run_rows import flow_run_rows
from flowruns.selectors.flow_runs import flow_runs_for_response
from orchestration.states import StateType
from tests.factories import FlowFactory, FlowRunFactory, TaskRunFactory, WorkQueueFactory

from . import reference

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
WEIRD = [
    "naïve ✓ 日本語 \U0001f600",
    'quote " backslash \\ slash / tab \t newline \n ctrl \x01 del \x7f',
    "\u2028\u2029 line separators",
    "",
]
POLICY = {"retries": 3, "retry_delay": 10, "pause_keys": ["x"], "resuming": True}
DAY = timedelta(days=1)
NUMBERS = [0, -1, 2**53 + 1, 2**63 - 1, -(2**63), 2**64, 10**30, 0.1, 1e-7, 1e16, 1e300, -0.0]


def _details(rng: random.Random, run_id: str) -> dict:
    return {
        "flow_run_id": run_id,
        "scheduled_time": "2031-05-01T00:00:00.500000Z",
        "cache_key": rng.choice([None, *WEIRD]),
        "pause_keys": ["a", "ü"],
        "untrackable_result": rng.choice([True, False]),
        "retriable": None,
        "not_a_detail_key": "dropped",
    }


def _runs(count: int) -> list[FlowRun]:
    rng = random.Random(11)
    flow = FlowFactory()
    queues = [WorkQueueFactory(), WorkQueueFactory(name="ünïcode queue")]
    parent = TaskRunFactory(flow_run=FlowRunFactory(flow=flow))
    runs = []
    for i in range(count):
        full = i % 3 != 0
        state_type = rng.choice([None, *StateType])
        start = NOW - timedelta(hours=rng.randint(1, 200), microseconds=rng.randint(0, 10**6))
        run = FlowRunFactory(
            flow=flow,
            name=rng.choice(WEIRD) + f"-{i}",
            state_type=state_type,
            state_timestamp=start if state_type is not None else None,
            deployment_id=uuid.uuid4() if full else None,
            deployment_version="v1 ✓" if full else None,
            work_queue=rng.choice(queues) if full else None,
            work_queue_name=None if full else rng.choice([None, "loose"]),
            flow_version=None if i % 2 else "1.0",
            parameters={
                "n": rng.choice(NUMBERS),
                "nested": {"list": [rng.choice(NUMBERS), None, True, {"s": rng.choice(WEIRD)}]},
                "empty": {},
            }
            if full
            else {},
            idempotency_key=f"key-{i}" if full else None,
            context={"k": rng.choice(WEIRD)} if full else {},
            empirical_policy=POLICY if full else {},
            tags=["team-1", rng.choice(WEIRD)] if full else [],
            labels={"a": 1, "ü": {"b": [2**64]}} if full else rng.choice([None, {}]),
            parent_task_run=parent if i % 5 == 0 else None,
            run_count=rng.randint(0, 2**31 - 1),
            expected_start_time=rng.choice([None, start - timedelta(minutes=5), NOW + DAY]),
            next_scheduled_start_time=rng.choice([None, start]),
            start_time=rng.choice([None, start]),
            end_time=rng.choice([None, start + timedelta(seconds=1.25)]),
            total_run_time=rng.choice([0.0, 1.5, 1e-7, 123456789.123]),
            auto_scheduled=full,
            infrastructure_document_id=uuid.uuid4() if full else None,
            infrastructure_pid="4242" if full else None,
            created_by={"id": str(uuid.uuid4()), "type": "DEPLOYMENT", "display_value": "ü"}
            if full
            else None,
            job_variables={"image": "python:3.11", "env": {"X": rng.choice(WEIRD)}}
            if full
            else rng.choice([None, {}]),
            with_state=False,
        )
        if state_type is not None:
            run.state = FlowRunState.objects.create(
                flow_run=run,
                type=state_type,
                name=rng.choice(WEIRD) or "Named",
                timestamp=start,
                message=rng.choice([None, *WEIRD]),
                data=rng.choice([None, {"type": "unpersisted"}, [1, 2.5, "ü"], 2**70]),
                state_details=_details(rng, str(run.id)) if full else {},
            )
            run.save(update_fields=["state"])
        runs.append(run)
    return runs


def _old_bytes(runs) -> bytes:
    return reference.dumps([reference.flow_run_out(run, NOW) for run in runs])


def _new_bytes(runs) -> bytes:
    data = FlowRunSerializer(runs, many=True, context={"now": NOW}).data
    return PrefectJSONRenderer().render(data)


def test_light_rows_and_model_instances_render_the_old_bytes():
    _runs(60)
    ordered = flow_runs_for_response().order_by("-created", "-id")
    rows = flow_run_rows(FlowRun.objects.order_by("-created", "-id"))
    instances = list(ordered)
    assert len(rows) == len(instances) == 61
    old = _old_bytes(instances)
    assert json.loads(old)[0]["id"] == str(rows[0].id)
    assert _new_bytes(rows) == old
    assert _new_bytes(instances) == old


def test_edge_values_reach_the_answer():
    """The data above really holds the edge cases (a guard against a vacuous comparison)."""
    _runs(60)
    rows = flow_run_rows(FlowRun.objects.all())
    text = _new_bytes(rows).decode()
    for needle in ("\U0001f600", "\\u0001", "\\n", "\u2028", str(2**64), str(10**30), "1e-07"):
        assert needle in text
    assert '"state":null' in text and '"work_pool_name":"pool-' in text


def test_list_routes_answer_the_old_bytes(api):
    _runs(40)
    instances = list(flow_runs_for_response().order_by("-expected_start_time", "-id"))
    by_id = {str(run.id): run for run in instances}
    with mock.patch.object(timezone, "now", return_value=NOW):
        body = {"sort": "EXPECTED_START_TIME_DESC", "limit": 200}
        filtered = api.post("/api/flow_runs/filter", body, format="json")
        page = api.post("/api/flow_runs/paginate", {"limit": 10, "page": 2}, format="json")
        one = api.get(f"/api/flow_runs/{instances[3].id}")
    assert filtered.status_code == page.status_code == one.status_code == 200
    ids = [run["id"] for run in filtered.json()]
    assert len(ids) == 41
    old_filtered = _old_bytes([by_id[i] for i in ids])
    results = [by_id[run["id"]] for run in page.json()["results"]]
    assert len(results) == 10
    old_page = b'{"results":' + _old_bytes(results) + b',"count":41,"limit":10,"pages":5,"page":2}'
    if connection.vendor == "postgresql":
        # PostgreSQL renders list pages itself (flowruns.selectors.flow_run_json): the same
        # JSON, but stored JSON keeps PostgreSQL's spacing and 0.0 may read 0.
        assert json.loads(filtered.content) == json.loads(old_filtered)
        assert json.loads(page.content) == json.loads(old_page)
    else:
        assert filtered.content == old_filtered
        assert page.content == old_page
    assert one.content == reference.dumps(reference.flow_run_out(instances[3], NOW))
