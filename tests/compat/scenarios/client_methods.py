"""Scenario (c): every flow-run method of the client, once with `get_client(sync_client=True)`
and once with `async with get_client()`.

Usage: client_methods.py NONCE. Prints one COMPAT-RESULT line: {"sync": {...}, "async": {...}},
each an observation per method (what came back, or what it raised) for the pytest side to judge.
The same steps run against both clients: the sync one is wrapped so it can be awaited.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from _common import describe, emit
from prefect import flow, get_client
from prefect.client.schemas.actions import LogCreate
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterId,
    FlowRunFilterName,
    FlowRunFilterParentTaskRunId,
    FlowRunFilterStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.states import Cancelling, Completed, Paused, Pending, Running

NONCE = sys.argv[1]


class Awaitable_:
    """Lets the steps `await` a SyncPrefectClient's methods like the async client's."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self._client, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return method(*args, **kwargs)

        return call


async def attempt(call: Awaitable[Any]) -> dict[str, Any]:
    try:
        value = await call
    except Exception as exc:
        return {"raised": describe(exc)}
    return {"value": value}


def run_view(run: FlowRun) -> dict[str, Any]:
    return {
        "id": str(run.id),
        "flow_id": str(run.flow_id),
        "name": run.name,
        "state_type": run.state.type.value if run.state else None,
        "state_name": run.state.name if run.state else None,
        "tags": sorted(run.tags),
        "parameters": run.parameters,
        "labels": dict(run.labels or {}),
        "run_count": run.run_count,
    }


def result_view(result: Any) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "state_type": result.state.type.value if result.state else None,
        "state_name": result.state.name if result.state else None,
        "details_type": getattr(result.details, "type", None),
        "reason": getattr(result.details, "reason", None),
    }


async def exercise(c: Any, label: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tag = f"compat-{label}-{NONCE}"
    by_tag = FlowRunFilter(tags=FlowRunFilterTags(all_=[tag]))

    @flow(name=f"compat-client-{label}-{NONCE}")
    def subject(x: int = 0) -> int:
        return x

    # flows
    flow_id = await c.create_flow(subject)
    again = await c.create_flow_from_name(subject.name)
    read = await c.read_flow(flow_id)
    out["create_flow"] = {"id": str(flow_id), "same_id": again == flow_id}
    out["read_flow"] = {"id": str(read.id), "name": read.name}

    # create / read
    runs = [
        await c.create_flow_run(subject, name=f"{label}-{n}", parameters={"x": i}, tags=[tag])
        for i, n in enumerate(("bravo", "alpha", "charlie"))
    ]
    out["create_flow_run"] = [run_view(run) for run in runs]
    out["read_flow_run"] = run_view(await c.read_flow_run(runs[0].id))
    out["read_flow_run_missing"] = await attempt(c.read_flow_run(uuid4()))

    # filters, sorts, limit/offset, count
    async def names(**kwargs: Any) -> list[str | None]:
        return [run.name for run in await c.read_flow_runs(**kwargs)]

    out["read_flow_runs"] = {
        "name_asc": await names(flow_run_filter=by_tag, sort=FlowRunSort.NAME_ASC),
        "name_desc": await names(flow_run_filter=by_tag, sort=FlowRunSort.NAME_DESC),
        "limit_offset": await names(
            flow_run_filter=by_tag, sort=FlowRunSort.NAME_ASC, limit=1, offset=1
        ),
        "by_flow_name": await names(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[subject.name])),
            sort=FlowRunSort.NAME_ASC,
        ),
        "by_state": await names(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[tag]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PENDING])),
            ),
            sort=FlowRunSort.NAME_ASC,
        ),
        "unknown_tag": await names(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"{tag}-none"]))
        ),
        "expected_start_desc": await names(
            flow_run_filter=by_tag, sort=FlowRunSort.EXPECTED_START_TIME_DESC
        ),
        "name_like": await names(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[tag]), name=FlowRunFilterName(like_="ALPH")
            )
        ),
        "id_any": await names(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[runs[2].id, runs[0].id])),
            sort=FlowRunSort.NAME_ASC,
        ),
        "id_not_any": await names(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[tag]), id=FlowRunFilterId(not_any_=[runs[0].id])
            ),
            sort=FlowRunSort.NAME_ASC,
        ),
        "expected_after": await names(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[tag]),
                expected_start_time=FlowRunFilterExpectedStartTime(
                    after_=runs[1].expected_start_time
                ),
            ),
            sort=FlowRunSort.NAME_ASC,
        ),
        "not_started": await names(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[tag]),
                start_time=FlowRunFilterStartTime(is_null_=True),
                parent_task_run_id=FlowRunFilterParentTaskRunId(is_null_=True),
            ),
            sort=FlowRunSort.NAME_ASC,
        ),
        "every_sort": {
            sort.value: sorted(map(str, await names(flow_run_filter=by_tag, sort=sort)))
            for sort in FlowRunSort
        },
    }
    out["count_flow_runs"] = {
        "tag": await c.count_flow_runs(flow_run_filter=by_tag),
        "pending": await c.count_flow_runs(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[tag]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PENDING])),
            )
        ),
        "all_flows_of_subject": await c.count_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[subject.name]))
        ),
    }

    # update
    first = runs[0].id
    response = await c.update_flow_run(
        first, name=f"{label}-bravo-renamed", tags=[tag, "extra"], parameters={"x": 9}
    )
    out["update_flow_run"] = {
        "status": response.status_code,
        "after": run_view(await c.read_flow_run(first)),
    }
    response = await c.set_flow_run_name(first, f"{label}-bravo")
    out["set_flow_run_name"] = {
        "status": response.status_code,
        "name": (await c.read_flow_run(first)).name,
    }

    # orchestration, with and without force
    async def propose(run_id: UUID, state: Any, force: bool = False) -> dict[str, Any]:
        return result_view(await c.set_flow_run_state(run_id, state, force=force))

    out["set_flow_run_state"] = {
        "running": await propose(first, Running()),
        "completed": await propose(first, Completed()),
        "completed_to_running": await propose(first, Running()),
        "completed_again": await propose(first, Completed()),
        "cancelling_no_force": await propose(first, Cancelling()),
        "cancelling_force": await propose(first, Cancelling(), force=True),
        "pending_from_pending": await propose(runs[1].id, Pending()),
        "missing_run": await attempt(c.set_flow_run_state(uuid4(), Running())),
    }
    out["after_states"] = run_view(await c.read_flow_run(first))

    # state history
    states = await c.read_flow_run_states(first)
    out["read_flow_run_states"] = [[s.type.value, s.name] for s in states]
    one = await c.read_flow_run_state(states[-1].id)
    out["read_flow_run_state"] = {
        "id": str(one.id),
        "expected_id": str(states[-1].id),
        "type": one.type.value,
        "flow_run_id": str(one.state_details.flow_run_id),
    }
    out["read_flow_run_state_missing"] = await attempt(c.read_flow_run_state(uuid4()))

    # pause, then resume through the client
    second = runs[1].id
    out["pause"] = {
        "running": await propose(second, Running()),
        "paused": await propose(second, Paused(timeout_seconds=300, pause_key="compat")),
    }
    out["resume_flow_run"] = result_view(await c.resume_flow_run(second))
    out["after_resume"] = run_view(await c.read_flow_run(second))

    # inputs
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

    # labels (merged into the existing ones)
    third = runs[2].id
    await c.update_flow_run_labels(third, {"team": "data", "tier": 2})
    await c.update_flow_run_labels(third, {"stage": "test"})
    out["update_flow_run_labels"] = run_view(await c.read_flow_run(third))["labels"]

    # logs the client sends, read back
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

    # delete
    out["delete_flow_run"] = await attempt(c.delete_flow_run(third))
    out["read_deleted"] = await attempt(c.read_flow_run(third))
    out["delete_deleted"] = await attempt(c.delete_flow_run(third))
    out["run_ids"] = [str(run.id) for run in runs]
    out["tag"] = tag
    return out


async def main() -> None:
    results: dict[str, Any] = {}
    with get_client(sync_client=True) as sync_client:
        results["sync"] = await exercise(Awaitable_(sync_client), "sync")
    async with get_client() as async_client:
        results["async"] = await exercise(async_client, "async")
    emit(results)


if __name__ == "__main__":
    asyncio.run(main())
