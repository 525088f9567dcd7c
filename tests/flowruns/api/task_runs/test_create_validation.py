"""`POST /api/task_runs/`: bodies refused with a 422 (api.md §4.4)."""

from __future__ import annotations

import pytest

from .helpers import create_task

pytestmark = pytest.mark.django_db


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
