"""`POST /api/task_runs/filter` and `/count`: filters, sorts and paging (api.md §4.4)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import FlowRunFactory, TaskRunFactory

from .helpers import TASK_RUN_KEYS, create_flow_run, new_task, set_state

pytestmark = pytest.mark.django_db


def filter_ids(api: APIClient, **body: Any) -> list[str]:
    response = api.post("/api/task_runs/filter", body, format="json")
    assert response.status_code == 200, response.json()
    return [run["id"] for run in response.json()]


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
