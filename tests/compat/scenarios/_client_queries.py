"""The client_methods step that reads and counts flow runs: filters, sorts, limit and offset."""

from __future__ import annotations

from typing import Any

from _client_calls import Exercise
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
)
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.sorting import FlowRunSort


async def read_and_count(ex: Exercise) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c, tag, subject, runs = ex.client, ex.tag, ex.subject, ex.runs
    by_tag = FlowRunFilter(tags=FlowRunFilterTags(all_=[tag]))

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
    return out
