"""The query routes: /flow_runs/filter, /count, /paginate, /flows/filter, /count, REST lists."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import FlowFactory, FlowRunFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def make_runs(count, **fields):
    flow = fields.pop("flow", None) or FlowFactory()
    return [
        FlowRunFactory(flow=flow, expected_start_time=T0 + timedelta(minutes=i), **fields)
        for i in range(count)
    ]


def ids(response):
    return [run["id"] for run in response.json()]


def test_filter_with_no_body_returns_every_run_by_id_desc(api):
    runs = make_runs(3)
    response = api.post("/api/flow_runs/filter")
    assert response.status_code == 200
    assert ids(response) == sorted((str(r.id) for r in runs), reverse=True)


def test_filter_applies_tags_state_and_sort(api):
    wanted = make_runs(3, tags=["prod"], state_type="COMPLETED")
    make_runs(2, tags=["dev"], state_type="COMPLETED")
    make_runs(2, tags=["prod"], state_type="FAILED")
    body = {
        "flow_runs": {"tags": {"all_": ["prod"]}, "state": {"type": {"any_": ["COMPLETED"]}}},
        "sort": "EXPECTED_START_TIME_DESC",
    }
    response = api.post("/api/flow_runs/filter", body, format="json")
    assert ids(response) == [str(r.id) for r in reversed(wanted)]


def test_filter_limit_and_offset_page_through_runs(api):
    runs = make_runs(5)
    body = {"sort": "EXPECTED_START_TIME_ASC", "limit": 2, "offset": 2}
    response = api.post("/api/flow_runs/filter", body, format="json")
    assert ids(response) == [str(runs[2].id), str(runs[3].id)]


def test_filter_treats_explicit_nulls_as_defaults(api):
    make_runs(2)
    body = {"sort": None, "limit": None, "offset": None, "flows": None, "flow_runs": None}
    response = api.post("/api/flow_runs/filter", body, format="json")
    assert response.status_code == 200
    assert len(response.json()) == 2


def test_filter_limit_zero_returns_nothing(api):
    make_runs(2)
    assert api.post("/api/flow_runs/filter", {"limit": 0}, format="json").json() == []


def test_filter_limit_above_the_maximum_is_rejected_with_prefects_message(api):
    response = api.post("/api/flow_runs/filter", {"limit": 201}, format="json")
    assert response.status_code == 422
    assert response.json() == {"detail": "Invalid limit: must be less than or equal to 200."}


def test_filter_negative_limit_is_rejected_with_prefects_message(api):
    response = api.post("/api/flow_runs/filter", {"limit": -1}, format="json")
    assert response.status_code == 422
    assert response.json() == {"detail": "Invalid limit: must be greater than or equal to 0."}


def test_filter_negative_offset_is_a_validation_error(api):
    response = api.post("/api/flow_runs/filter", {"offset": -1}, format="json")
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert error["type"] == "greater_than_equal"
    assert error["loc"] == ["body", "offset"]
    assert error["ctx"] == {"ge": 0}


def test_filter_accepts_a_numeric_string_limit(api):
    make_runs(3)
    assert len(api.post("/api/flow_runs/filter", {"limit": "2"}, format="json").json()) == 2


def test_filter_rejects_an_unknown_sort(api):
    response = api.post("/api/flow_runs/filter", {"sort": "SIDEWAYS"}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "enum"


def test_filter_rejects_unknown_keys_inside_a_filter_but_ignores_top_level_ones(api):
    response = api.post("/api/flow_runs/filter", {"flow_runs": {"bogus": 1}}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "extra_forbidden"
    assert api.post("/api/flow_runs/filter", {"bogus": 1}, format="json").status_code == 200


def test_filter_is_post_only(api):
    response = api.get("/api/flow_runs/filter")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_filter_finds_subflows_the_way_the_client_looks_for_them(api):
    parent_task = TaskRunFactory(flow_run=FlowRunFactory())
    child = FlowRunFactory(parent_task_run=parent_task)
    FlowRunFactory()
    body = {
        "flow_runs": {"parent_task_run_id": {"any_": [str(parent_task.id)]}},
        "sort": "EXPECTED_START_TIME_DESC",
        "limit": 1,
    }
    assert ids(api.post("/api/flow_runs/filter", body, format="json")) == [str(child.id)]


def test_count_returns_a_bare_integer(api):
    make_runs(3, state_type="RUNNING")
    make_runs(1, state_type="FAILED")
    assert api.post("/api/flow_runs/count").json() == 4
    body = {"flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}}
    assert api.post("/api/flow_runs/count", body, format="json").json() == 3


def test_paginate_returns_results_and_page_arithmetic(api):
    runs = make_runs(5)
    body = {"sort": "EXPECTED_START_TIME_ASC", "limit": 2, "page": 2}
    response = api.post("/api/flow_runs/paginate", body, format="json")
    assert response.status_code == 200
    payload = response.json()
    assert list(payload) == ["results", "count", "limit", "pages", "page"]
    assert [r["id"] for r in payload["results"]] == [str(runs[2].id), str(runs[3].id)]
    assert (payload["count"], payload["limit"], payload["pages"], payload["page"]) == (5, 2, 3, 2)


def test_paginate_past_the_end_has_no_results_but_the_right_counts(api):
    make_runs(3)
    payload = api.post("/api/flow_runs/paginate", {"limit": 2, "page": 9}, format="json").json()
    assert payload == {"results": [], "count": 3, "limit": 2, "pages": 2, "page": 9}


def test_paginate_with_limit_zero(api):
    make_runs(3)
    payload = api.post("/api/flow_runs/paginate", {"limit": 0}, format="json").json()
    assert payload == {"results": [], "count": 3, "limit": 0, "pages": 0, "page": 1}


def test_paginate_page_zero_is_a_validation_error(api):
    response = api.post("/api/flow_runs/paginate", {"page": 0}, format="json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "greater_than_equal"


def test_flows_filter_answers_the_body_the_cli_sends(api):
    a, b = FlowFactory(name="a-flow"), FlowFactory(name="b-flow")
    FlowFactory(name="other")
    body = {
        "flows": {
            "operator": "and_",
            "id": {"any_": [str(b.id), str(a.id), str(a.id)]},
            "name": None,
            "tags": None,
        },
        "flow_runs": None,
        "task_runs": None,
        "deployments": None,
        "work_pools": None,
        "work_queues": None,
        "sort": None,
        "limit": None,
        "offset": 0,
    }
    response = api.post("/api/flows/filter", body, format="json")
    assert response.status_code == 200
    assert [f["name"] for f in response.json()] == ["a-flow", "b-flow"]


def test_flows_count_with_a_run_filter(api):
    run = FlowRunFactory(state_type="FAILED")
    FlowRunFactory(state_type="COMPLETED")
    body = {"flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}}
    assert api.post("/api/flows/count", body, format="json").json() == 1
    names = [f["name"] for f in api.post("/api/flows/filter", body, format="json").json()]
    assert names == [run.flow.name]


def test_rest_list_of_flow_runs_filters_by_query_parameters(api):
    wanted = make_runs(2, tags=["a", "b"], state_type="RUNNING")
    make_runs(2, tags=["a"], state_type="RUNNING")
    make_runs(1, tags=["a", "b"], state_type="FAILED")
    response = api.get("/api/flow_runs/?state_type=RUNNING&tag=a&tag=b")
    assert response.status_code == 200
    payload = response.json()
    assert payload["count"] == 2
    assert {r["id"] for r in payload["results"]} == {str(r.id) for r in wanted}


def test_rest_list_of_flow_runs_paginates(api):
    make_runs(5)
    payload = api.get("/api/flow_runs/?limit=2&offset=2").json()
    assert payload["count"] == 5
    assert len(payload["results"]) == 2
    assert "offset=4" in payload["next"]


def test_rest_list_of_flows_filters_by_name(api):
    FlowFactory(name="nightly-etl")
    FlowFactory(name="hourly")
    payload = api.get("/api/flows/?name=ETL").json()
    assert [f["name"] for f in payload["results"]] == ["nightly-etl"]
