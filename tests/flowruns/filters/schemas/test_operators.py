"""The `operator` key: `and_` by default, `or_`, and only on the filters that take one."""

from __future__ import annotations

from typing import Any

import pytest

from flowruns.filters.schemas import FlowRunFilter, Operator

from .helpers import errors


class TestOperator:
    def test_operator_defaults_to_and(self) -> None:
        assert FlowRunFilter().operator is Operator.and_

    def test_or_is_accepted(self) -> None:
        assert FlowRunFilter.model_validate({"operator": "or_"}).operator is Operator.or_

    @pytest.mark.parametrize("value", ["or", "AND_", "xor_", None])
    def test_other_operator_values_are_an_enum_error(self, value: Any) -> None:
        [error] = errors(FlowRunFilter, {"operator": value})
        assert error["type"] == "enum"
        assert error["loc"] == ("operator",)

    @pytest.mark.parametrize(
        "body",
        [
            {"id": {"operator": "and_"}},
            {"name": {"operator": "or_"}},
            {"state": {"type": {"operator": "and_"}}},
            {"start_time": {"operator": "and_"}},
            {"idempotency_key": {"operator": "and_"}},
        ],
    )
    def test_plain_filters_have_no_operator_key(self, body: dict[str, Any]) -> None:
        [error] = errors(FlowRunFilter, body)
        assert error["type"] == "extra_forbidden"
        assert error["loc"][-1] == "operator"

    @pytest.mark.parametrize(
        "body",
        [
            {"tags": {"operator": "or_"}},
            {"deployment_id": {"operator": "or_"}},
            {"work_queue_name": {"operator": "or_"}},
            {"state": {"operator": "or_"}},
            {"parent_flow_run_id": {"operator": "or_"}},
            {"parent_task_run_id": {"operator": "or_"}},
            {"created_by": {"operator": "or_"}},
        ],
    )
    def test_operator_filters_accept_an_operator(self, body: dict[str, Any]) -> None:
        assert FlowRunFilter.model_validate(body) is not None
