"""How filter values are coerced, and the limits of the log text query."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from flowruns.filters.schemas import (
    DeploymentFilter,
    FlowRunFilter,
    LogFilter,
    StateType,
    TaskRunFilter,
)

from .helpers import errors


class TestCoercion:
    def test_state_types_are_the_nine_upper_case_values(self) -> None:
        parsed = FlowRunFilter.model_validate({"state": {"type": {"any_": ["COMPLETED"]}}})
        assert parsed.state is not None and parsed.state.type is not None
        assert parsed.state.type.any_ == [StateType.COMPLETED]
        [error] = errors(FlowRunFilter, {"state": {"type": {"any_": ["completed"]}}})
        assert error["type"] == "enum"
        assert "'SCHEDULED'" in error["msg"] and "'CANCELLING'" in error["msg"]

    def test_uuids_without_dashes_and_in_upper_case_are_accepted(self) -> None:
        value = uuid4()
        parsed = FlowRunFilter.model_validate({"id": {"any_": [value.hex.upper()]}})
        assert parsed.id is not None and parsed.id.any_ == [value]

    def test_a_non_uuid_is_rejected(self) -> None:
        [error] = errors(FlowRunFilter, {"id": {"any_": ["nope"]}})
        assert error["type"] == "uuid_parsing"

    @pytest.mark.parametrize(("raw", "expected"), [("true", True), ("yes", True), (0, False)])
    def test_bools_are_coerced_laxly(self, raw: Any, expected: bool) -> None:
        parsed = FlowRunFilter.model_validate({"deployment_id": {"is_null_": raw}})
        assert parsed.deployment_id is not None and parsed.deployment_id.is_null_ is expected

    def test_ints_are_coerced_from_strings(self) -> None:
        parsed = LogFilter.model_validate({"level": {"ge_": "20"}})
        assert parsed.level is not None and parsed.level.ge_ == 20

    def test_a_list_is_required_where_a_list_is_expected(self) -> None:
        [error] = errors(FlowRunFilter, {"name": {"any_": "just-a-string"}})
        assert error["type"] == "list_type"

    def test_task_run_flow_run_id_is_null_defaults_to_false(self) -> None:
        parsed = TaskRunFilter.model_validate({"flow_run_id": {}})
        assert parsed.flow_run_id is not None and parsed.flow_run_id.is_null_ is False
        explicit = TaskRunFilter.model_validate({"flow_run_id": {"is_null_": None}})
        assert explicit.flow_run_id is not None and explicit.flow_run_id.is_null_ is None

    def test_deployment_concurrency_limit_is_accepted(self) -> None:
        body = {"concurrency_limit": {"ge_": 1, "le_": 5, "is_null_": False}}
        assert DeploymentFilter.model_validate(body).concurrency_limit is not None


class TestLogTextQuery:
    def test_query_is_required(self) -> None:
        [error] = errors(LogFilter, {"text": {}})
        assert (error["type"], error["loc"]) == ("missing", ("text", "query"))

    def test_query_is_at_most_200_characters(self) -> None:
        assert LogFilter.model_validate({"text": {"query": "x" * 200}}).text is not None
        [error] = errors(LogFilter, {"text": {"query": "x" * 201}})
        assert error["type"] == "string_too_long"
