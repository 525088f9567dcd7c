"""The client_methods steps for flow-run inputs, and for logs sent by the client and read back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from _client_calls import Exercise, attempt
from prefect.client.schemas.actions import LogCreate
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId


async def flow_run_inputs(ex: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c, second = ex.client, ex.runs[1].id

    value = '{"answer": 42, "text": "caf\\u00e9"}'
    await c.create_flow_run_input(second, "answer", value, sender="compat")
    await c.create_flow_run_input(second, "answer-two", '"two"')
    await c.create_flow_run_input(second, "other", "3")
    out["inputs"] = {
        "duplicate": await attempt(c.create_flow_run_input(second, "answer", "1")),
        "unknown_run": await attempt(c.create_flow_run_input(uuid4(), "answer", "1")),
        "read": await c.read_flow_run_input(second, "answer"),
        "expected": value,
        "filter": [
            [i.key, i.value, i.sender]
            for i in await c.filter_flow_run_input(second, "answer", 10, set())
        ],
        "filter_exclude": [
            i.key for i in await c.filter_flow_run_input(second, "answer", 10, {"answer"})
        ],
        "filter_limit": [i.key for i in await c.filter_flow_run_input(second, "", 1, set())],
    }
    await c.delete_flow_run_input(second, "answer")
    out["inputs"]["read_deleted"] = await attempt(c.read_flow_run_input(second, "answer"))
    out["inputs"]["delete_deleted"] = await attempt(c.delete_flow_run_input(second, "answer"))
    return out


async def send_and_read_logs(ex: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c, label, third = ex.client, ex.label, ex.runs[2].id

    now = datetime.now(UTC)
    await c.create_logs(
        [
            LogCreate(
                name="compat.client",
                level=20 + i * 10,
                message=f"{label} log {i}",
                timestamp=now,
                flow_run_id=third,
            )
            for i in range(3)
        ]
    )
    logs = await c.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[third])))
    out["logs"] = [[log.name, log.level, log.message, str(log.flow_run_id)] for log in logs]
    return out
