"""`POST /api/logs/filter` without a filter: every log, oldest first, in Prefect's shape
(api.md §7.4)."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import LogFactory
from tests.logs_app.helpers import at

from .helpers import filter_logs, messages

pytestmark = pytest.mark.django_db

LOG_KEYS = [
    "id",
    "created",
    "updated",
    "name",
    "level",
    "message",
    "timestamp",
    "flow_run_id",
    "task_run_id",
]


def test_no_body_returns_every_log_oldest_first(api):
    for second in (2, 0, 1):
        LogFactory.create(message=f"t{second}", timestamp=at(second))
    assert messages(filter_logs(api)) == ["t0", "t1", "t2"]


def test_a_log_has_prefect_keys_in_prefect_order(api):
    run_id = uuid.uuid4()
    log = LogFactory.create(
        name="prefect.task_runs",
        level=40,
        message="boom",
        timestamp=at(0.000005),
        flow_run_id=run_id,
        task_run_id=None,
    )
    [body] = filter_logs(api).json()
    assert list(body) == LOG_KEYS
    assert body["id"] == str(log.id)
    assert body["name"] == "prefect.task_runs"
    assert body["level"] == 40
    assert body["message"] == "boom"
    assert body["timestamp"] == "2024-01-01T00:00:00.000005Z"
    assert body["flow_run_id"] == str(run_id)
    assert body["task_run_id"] is None
    assert body["created"].endswith("Z")


def test_whole_second_timestamps_have_no_fraction(api):
    LogFactory.create(timestamp=at(8))
    assert filter_logs(api).json()[0]["timestamp"] == "2024-01-01T00:00:08Z"


def test_the_response_is_documented_field_for_field(api):
    LogFactory.create()
    schema = api.get("/api/schema/?format=json").json()
    content = schema["paths"]["/api/logs/filter"]["post"]["responses"]["200"]["content"]
    ref = content["application/json"]["schema"]["$ref"].split("/")[-1]
    item_ref = schema["components"]["schemas"][ref]["items"]["$ref"].split("/")[-1]
    documented = list(schema["components"]["schemas"][item_ref]["properties"])
    assert documented == list(filter_logs(api).json()[0]) == LOG_KEYS
