"""Validation of filter bodies: what is accepted, what is a 422, and how values are coerced."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel, ValidationError

from flowruns.api.wire.body import convert_errors
from flowruns.filters.bodies import FlowQuery, FlowRunHistoryQuery, FlowRunQuery, LogQuery
from flowruns.filters.schemas import (
    DeploymentFilter,
    FlowFilter,
    FlowRunFilter,
    LogFilter,
    Operator,
    StateType,
    TaskRunFilter,
    WorkPoolFilter,
    WorkQueueFilter,
)
from flowruns.filters.types import UTCDateTime


def errors(model: type[BaseModel], data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as excinfo:
        model.model_validate(data)
    return [dict(err) for err in excinfo.value.errors(include_url=False)]


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


class DateTimeModel(BaseModel):
    value: UTCDateTime | None = None


class TestDateTimes:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("2021-07-01T00:00:00Z", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-07-01T00:00:00.500000Z", datetime(2021, 7, 1, 0, 0, 0, 500000, tzinfo=UTC)),
            ("2021-07-01 00:00:00", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-07-01T00:00:00", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-07-01", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-07-01T02:00:00+02:00", datetime(2021, 7, 1, tzinfo=UTC)),
            ("2021-06-30 19:00:00-05:00", datetime(2021, 7, 1, tzinfo=UTC)),
            ("20210701T000000", datetime(2021, 7, 1, tzinfo=UTC)),
        ],
    )
    def test_accepted_forms_come_out_as_utc(self, raw: str, expected: datetime) -> None:
        parsed = DateTimeModel.model_validate({"value": raw}).value
        assert parsed == expected
        assert parsed is not None and parsed.utcoffset() is not None
        assert parsed.tzinfo == UTC

    def test_null_is_not_given(self) -> None:
        assert DateTimeModel.model_validate({"value": None}).value is None

    @pytest.mark.parametrize("raw", ["garbage", "2021-13-45", ""])
    def test_an_unparseable_string_is_a_value_error_naming_it(self, raw: str) -> None:
        [error] = errors(DateTimeModel, {"value": raw})
        assert error["type"] == "value_error"
        assert f"Unable to parse string [{raw}]" in error["msg"]

    def test_a_non_string_is_a_value_error(self) -> None:
        [error] = errors(DateTimeModel, {"value": [1, 2]})
        assert error["type"] == "value_error"

    def test_filter_bounds_use_the_shared_type(self) -> None:
        [error] = errors(FlowRunFilter, {"start_time": {"before_": "garbage"}})
        assert error["loc"] == ("start_time", "before_")
        assert error["msg"] == "Value error, Unable to parse string [garbage]"


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
