"""LogFilter criteria: level, timestamp, flow and task run ids, `operator`, and the keys it
refuses (api.md §7.4)."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import LogFactory
from tests.logs_app.helpers import at

from .helpers import filter_logs, matching, messages

pytestmark = pytest.mark.django_db


class TestOperators:
    def test_level_ge_and_le(self, api):
        for level in (10, 20, 30, 40, 50):
            LogFactory.create(level=level, message=f"l{level}")
        assert matching(api, {"level": {"ge_": 30}}) == {"l30", "l40", "l50"}
        assert matching(api, {"level": {"le_": 20}}) == {"l10", "l20"}
        assert matching(api, {"level": {"ge_": 20, "le_": 40}}) == {"l20", "l30", "l40"}

    def test_timestamp_before_and_after_are_inclusive(self, api):
        for second in range(4):
            LogFactory.create(timestamp=at(second), message=f"t{second}")
        assert matching(api, {"timestamp": {"before_": "2024-01-01T00:00:01Z"}}) == {"t0", "t1"}
        assert matching(api, {"timestamp": {"after_": "2024-01-01T00:00:02Z"}}) == {"t2", "t3"}
        window = {"after_": "2024-01-01T00:00:01Z", "before_": "2024-01-01T00:00:02Z"}
        assert matching(api, {"timestamp": window}) == {"t1", "t2"}

    def test_timestamp_with_offset_is_compared_in_utc(self, api):
        LogFactory.create(timestamp=at(0), message="t0")
        LogFactory.create(timestamp=at(3600), message="t1h")
        assert matching(api, {"timestamp": {"after_": "2024-01-01T01:00:00+01:00"}}) == {
            "t0",
            "t1h",
        }
        assert matching(api, {"timestamp": {"after_": "2024-01-01T01:00:00"}}) == {"t1h"}

    def test_flow_run_id_any(self, api):
        run_a, run_b = uuid.uuid4(), uuid.uuid4()
        LogFactory.create(flow_run_id=run_a, message="a")
        LogFactory.create(flow_run_id=run_b, message="b")
        LogFactory.create(flow_run_id=None, message="none")
        assert matching(api, {"flow_run_id": {"any_": [str(run_a)]}}) == {"a"}
        assert matching(api, {"flow_run_id": {"any_": [str(run_a), str(run_b)]}}) == {"a", "b"}
        assert matching(api, {"flow_run_id": {"any_": []}}) == set()
        assert matching(api, {"flow_run_id": {"any_": None}}) == {"a", "b", "none"}

    def test_task_run_id_any_and_is_null(self, api):
        task_a, task_b = uuid.uuid4(), uuid.uuid4()
        LogFactory.create(task_run_id=task_a, message="a")
        LogFactory.create(task_run_id=task_b, message="b")
        LogFactory.create(task_run_id=None, message="flow")
        assert matching(api, {"task_run_id": {"any_": [str(task_b)]}}) == {"b"}
        assert matching(api, {"task_run_id": {"is_null_": True}}) == {"flow"}
        assert matching(api, {"task_run_id": {"is_null_": False}}) == {"a", "b"}
        both = {"any_": [str(task_a)], "is_null_": False}
        assert matching(api, {"task_run_id": both}) == {"a"}

    def test_operator_and_combines_criteria(self, api):
        LogFactory.create(level=40, task_run_id=None, message="error-flow")
        LogFactory.create(level=40, task_run_id=uuid.uuid4(), message="error-task")
        LogFactory.create(level=10, task_run_id=None, message="debug-flow")
        body = {"level": {"ge_": 40}, "task_run_id": {"is_null_": True}}
        assert matching(api, body) == {"error-flow"}
        assert matching(api, {"operator": "or_", **body}) == {
            "error-flow",
            "error-task",
            "debug-flow",
        }

    def test_unknown_keys_inside_the_filter_are_422(self, api):
        response = filter_logs(api, {"logs": {"level": {"gt_": 1}}})
        assert response.status_code == 422
        error = response.json()["exception_detail"][0]
        assert (error["type"], error["loc"]) == (
            "extra_forbidden",
            ["body", "logs", "level", "gt_"],
        )

    def test_bad_operator_is_422(self, api):
        response = filter_logs(api, {"logs": {"operator": "xor_"}})
        assert response.status_code == 422
        assert response.json()["exception_detail"][0]["loc"] == ["body", "logs", "operator"]

    def test_unknown_top_level_keys_are_ignored(self, api):
        LogFactory.create(message="m")
        assert messages(filter_logs(api, {"bogus": 1})) == ["m"]
