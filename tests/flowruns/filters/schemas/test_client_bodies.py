"""Filter bodies as the official client sends them, and the top-level keys of each query body."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel

from flowruns.filters.bodies import FlowQuery, FlowRunHistoryQuery, FlowRunQuery, LogQuery
from flowruns.filters.schemas import (
    DeploymentFilter,
    FlowFilter,
    FlowRunFilter,
    StateType,
    TaskRunFilter,
    WorkPoolFilter,
    WorkQueueFilter,
)

# What the official client sends: every key present, nulls everywhere, "operator": "and_".
CLIENT_FLOW_RUN_FILTER: dict[str, Any] = {
    "operator": "and_",
    "id": {"any_": None, "not_any_": None},
    "name": {"any_": None, "like_": None},
    "tags": {"operator": "and_", "all_": None, "any_": None, "is_null_": None},
    "deployment_id": {"operator": "and_", "any_": None, "is_null_": None},
    "work_queue_name": {"operator": "and_", "any_": None, "is_null_": None},
    "state": {
        "operator": "and_",
        "type": {"any_": ["RUNNING"], "not_any_": None},
        "name": None,
    },
    "flow_version": None,
    "start_time": {"before_": None, "after_": None, "is_null_": None},
    "end_time": None,
    "expected_start_time": {"before_": None, "after_": None},
    "next_scheduled_start_time": {"before_": None, "after_": None},
    "parent_flow_run_id": {"operator": "and_", "any_": None},
    "parent_task_run_id": {"operator": "and_", "any_": None, "is_null_": None},
    "idempotency_key": {"any_": None, "not_any_": None},
    "created_by": {"operator": "and_", "id_": None, "type_": None, "is_null_": None},
}


class TestClientBodies:
    def test_a_fully_null_flow_filter_from_the_client_parses(self) -> None:
        flow_id = str(uuid4())
        body = {
            "flows": {"operator": "and_", "id": {"any_": [flow_id]}, "name": None, "tags": None}
        }
        query = FlowRunQuery.model_validate(body)
        assert query.flows is not None
        assert query.flows.id is not None
        assert query.flows.id.any_ == [UUID(flow_id)]
        assert query.flows.name is None

    def test_a_fully_populated_flow_run_filter_parses(self) -> None:
        query = FlowRunQuery.model_validate({"flow_runs": CLIENT_FLOW_RUN_FILTER})
        assert query.flow_runs is not None
        assert query.flow_runs.state is not None
        assert query.flow_runs.state.type is not None
        assert query.flow_runs.state.type.any_ == [StateType.RUNNING]

    def test_every_filter_key_accepts_explicit_null(self) -> None:
        body = {
            "flows": None,
            "flow_runs": None,
            "task_runs": None,
            "deployments": None,
            "work_pools": None,
            "work_pool_queues": None,
        }
        assert FlowRunQuery.model_validate(body).q().children == []

    def test_a_fully_null_log_filter_parses(self) -> None:
        body = {
            "logs": {
                "operator": "and_",
                "level": {"ge_": None, "le_": None},
                "timestamp": {"before_": None, "after_": None},
                "flow_run_id": {"any_": None},
                "task_run_id": {"any_": None, "is_null_": None},
                "text": None,
            }
        }
        assert LogQuery.model_validate(body).logs is not None

    @pytest.mark.parametrize(
        "model",
        [
            FlowFilter,
            FlowRunFilter,
            TaskRunFilter,
            DeploymentFilter,
            WorkPoolFilter,
            WorkQueueFilter,
        ],
    )
    def test_an_empty_filter_object_is_valid(self, model: type[BaseModel]) -> None:
        assert model.model_validate({}) is not None


class TestQueryBodies:
    def test_history_uses_the_work_queues_key(self) -> None:
        queue = str(uuid4())
        history = FlowRunHistoryQuery.model_validate({"work_queues": {"id": {"any_": [queue]}}})
        assert history.work_queues is not None
        ignored = FlowRunHistoryQuery.model_validate({"work_pool_queues": {"id": {"any_": []}}})
        assert ignored.work_queues is None
        assert FlowRunQuery.model_validate({"work_queues": {}}).work_pool_queues is None

    def test_flow_query_ignores_work_queues_as_prefect_does(self) -> None:
        query = FlowQuery.model_validate({"work_queues": {"bogus": 1}, "flows": {}})
        assert query.flows is not None
