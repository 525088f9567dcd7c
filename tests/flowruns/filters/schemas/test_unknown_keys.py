"""Unknown keys: ignored at the top of a body, a 422 (`extra_forbidden`) inside a filter."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flowruns.api.wire.body import convert_errors
from flowruns.filters.bodies import FlowRunQuery, LogQuery

from .helpers import errors


class TestUnknownKeys:
    def test_unknown_top_level_keys_are_ignored(self) -> None:
        query = FlowRunQuery.model_validate({"bogus": 1, "sort": "NAME_ASC", "flow_runs": {}})
        assert query.flow_runs is not None

    @pytest.mark.parametrize(
        ("body", "loc"),
        [
            ({"flow_runs": {"bogus": 1}}, ("flow_runs", "bogus")),
            ({"flow_runs": {"id": {"bogus": 1}}}, ("flow_runs", "id", "bogus")),
            (
                {"flow_runs": {"state": {"type": {"all_": []}}}},
                ("flow_runs", "state", "type", "all_"),
            ),
            ({"flows": {"tags": {"any_": ["a"]}}}, ("flows", "tags", "any_")),
            ({"task_runs": {"tags": {"any_": ["a"]}}}, ("task_runs", "tags", "any_")),
            ({"deployments": {"paused": {"is_": True}}}, ("deployments", "paused", "is_")),
            ({"work_pools": {"labels": {}}}, ("work_pools", "labels")),
            ({"work_pool_queues": {"name": {"like_": "x"}}}, ("work_pool_queues", "name", "like_")),
        ],
    )
    def test_unknown_keys_inside_a_filter_are_extra_forbidden(
        self, body: dict[str, Any], loc: tuple[str, ...]
    ) -> None:
        [error] = errors(FlowRunQuery, body)
        assert error["type"] == "extra_forbidden"
        assert error["loc"] == loc

    def test_unknown_key_inside_a_log_filter_is_extra_forbidden(self) -> None:
        [error] = errors(LogQuery, {"logs": {"message": {"like_": "x"}}})
        assert (error["type"], error["loc"]) == ("extra_forbidden", ("logs", "message"))

    def test_the_wire_error_carries_the_body_location(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            FlowRunQuery.model_validate({"flow_runs": {"id": {"bogus": 1}}})
        [wire] = convert_errors(excinfo.value, field_body=True)
        assert wire == {
            "type": "extra_forbidden",
            "loc": ["body", "flow_runs", "id", "bogus"],
            "msg": "Extra inputs are not permitted",
            "input": 1,
        }
