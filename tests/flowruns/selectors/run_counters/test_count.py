"""/count from the counters equals COUNT(*) of the filter, for every shape, covered or not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowruns.filters.bodies import FlowRunQuery
from flowruns.models import FlowRun
from flowruns.selectors.run_counters.count import flow_runs_count_matching
from flowruns.selectors.run_counters.shapes import counter_shape
from tests.flowruns.counters.runs import make_runs

pytestmark = pytest.mark.django_db

FLOW = "__flow__"  # replaced by the first flow's id

COVERED: list[dict[str, Any]] = [
    {},
    {"flow_runs": None, "flows": None, "task_runs": None, "deployments": None},
    {"flow_runs": {}},
    {"flow_runs": {"state": {}}},
    {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
    {"flow_runs": {"state": {"type": {"any_": []}}}},
    {"flow_runs": {"state": {"type": {"any_": None}}}},
    {"flow_runs": {"state": {"type": {"any_": ["RUNNING", "PENDING", "SCHEDULED"]}}}},
    {"flow_runs": {"state": {"name": {"any_": ["Late", "Orphan"]}}}},
    {"flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}, "name": {"any_": ["Late"]}}}},
    {"flow_runs": {"tags": {"all_": ["team-1"]}}},
    {"flow_runs": {"tags": {"all_": []}, "state": {"type": {"any_": ["FAILED"]}}}},
    {
        "flow_runs": {
            "tags": {"all_": ["team-2"]},
            "state": {"type": {"any_": ["COMPLETED", "FAILED"]}},
        }
    },
    {"flow_runs": {"tags": {"all_": ["env:prod"]}, "state": {"name": {"any_": ["Late"]}}}},
    {"flow_runs": {"tags": {"all_": ["no-such-tag"]}}},
    {"flows": {"id": {"any_": [FLOW]}}},
    {"flows": {"id": {"any_": []}}},
    {"flows": {}},
    {"flows": {"id": {"any_": [FLOW]}}, "flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}},
    {"flow_runs": {"operator": "or_", "state": {"type": {"any_": ["CRASHED"]}}}},
]

NOT_COVERED: list[dict[str, Any]] = [
    {"flow_runs": {"state": {"type": {"not_any_": ["COMPLETED"]}}}},
    {
        "flow_runs": {
            "state": {"operator": "or_", "type": {"any_": ["FAILED"]}, "name": {"any_": ["Late"]}}
        }
    },
    {
        "flow_runs": {
            "operator": "or_",
            "tags": {"all_": ["team-1"]},
            "state": {"type": {"any_": ["FAILED"]}},
        }
    },
    {"flow_runs": {"tags": {"all_": ["team-2", "env:prod"]}}},
    {"flow_runs": {"tags": {"any_": ["team-1"]}}},
    {"flow_runs": {"tags": {"is_null_": True}}},
    {"flow_runs": {"name": {"like_": "flow"}}},
    {"flows": {"id": {"any_": [FLOW]}}, "flow_runs": {"tags": {"all_": ["team-1"]}}},
    {"flows": {"name": {"any_": ["x"]}}},
    {"flows": {"id": {"not_any_": [FLOW]}}},
    {"task_runs": {}},
    {"deployments": {}},
    {"work_pool_queues": {}},
]


def _body(template: dict[str, Any], flow_id: str) -> dict[str, Any]:
    text = json.dumps(template).replace(json.dumps(FLOW), json.dumps(flow_id))
    return json.loads(text)


@pytest.mark.parametrize("template", COVERED + NOT_COVERED)
def test_count_equals_count_star_of_the_filter(template):
    flows = make_runs(150)
    query = FlowRunQuery.model_validate(_body(template, str(flows[0].id)))
    shape = counter_shape(
        flows=query.flows,
        flow_runs=query.flow_runs,
        others=(query.task_runs, query.deployments, query.work_pools, query.work_pool_queues),
    )

    assert (shape is not None) == (template in COVERED)
    assert flow_runs_count_matching(query=query) == FlowRun.objects.filter(query.q()).count()


def test_count_and_paginate_answer_from_counters_over_http(api):
    make_runs(60)
    body = {"flow_runs": {"tags": {"all_": ["team-2"]}, "state": {"type": {"any_": ["FAILED"]}}}}
    expected = FlowRun.objects.filter(FlowRunQuery.model_validate(body).q()).count()
    assert expected > 0

    assert api.post("/api/flow_runs/count", body, format="json").json() == expected
    page = api.post("/api/flow_runs/paginate", {**body, "limit": 2}, format="json").json()
    assert page["count"] == expected
    assert page["pages"] == -(-expected // 2)
