"""The in-memory LogFilter of /api/logs/out agrees with the SQL filter of POST /logs/filter."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from events.sockets.log_matching import log_matcher
from flowruns.filters.compile import log_filter_q
from flowruns.filters.schemas import LogFilter
from logs_app.api.serializers import LogSerializer
from logs_app.models import Log
from logs_app.services import logs_create

RUN_A, RUN_B, TASK = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
T0 = datetime(2026, 1, 1, tzinfo=UTC)

FILTERS = [
    {},
    {"level": {"ge_": 20}},
    {"level": {"ge_": 20, "le_": 30}},
    {"flow_run_id": {"any_": [str(RUN_A)]}},
    {"flow_run_id": {"any_": []}},
    {"task_run_id": {"is_null_": True}},
    {"task_run_id": {"any_": [str(TASK)], "is_null_": False}},
    {"timestamp": {"after_": (T0 + timedelta(seconds=1)).isoformat()}},
    {"timestamp": {"before_": (T0 + timedelta(seconds=1)).isoformat()}},
    {"text": {"query": "disk -full"}},
    {"text": {"query": "+DISK"}},
    {"text": {"query": '"engine start"'}},
    {"operator": "or_", "level": {"ge_": 40}, "flow_run_id": {"any_": [str(RUN_B)]}},
]


@pytest.fixture
def logs(db) -> list[dict]:
    rows = [
        ("engine", 10, "engine start", 0, RUN_A, None),
        ("engine", 20, "disk almost full", 1, RUN_A, TASK),
        ("worker", 30, "Disk ok", 2, RUN_B, None),
        ("worker", 40, "crashed", 3, None, None),
    ]
    logs_create(
        logs=[
            {
                "name": name,
                "level": level,
                "message": message,
                "timestamp": T0 + timedelta(seconds=s),
                "flow_run_id": run,
                "task_run_id": task,
            }
            for name, level, message, s, run, task in rows
        ]
    )
    return list(LogSerializer(Log.objects.all(), many=True).data)


@pytest.mark.parametrize("raw", FILTERS)
def test_live_matching_equals_the_sql_filter(logs, raw):
    log_filter = LogFilter.model_validate(raw)
    in_sql = {
        str(i) for i in Log.objects.filter(log_filter_q(log_filter)).values_list("id", flat=True)
    }
    in_memory = {log["id"] for log in logs if log_matcher(log_filter)(log)}
    assert in_memory == in_sql
