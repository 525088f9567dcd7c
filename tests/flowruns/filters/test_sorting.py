"""Sort orders: every value, ties broken by id, NULLs last for ASC and first for DESC on both
databases (spec/api.md §5)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel, ValidationError

from flowruns.filters.sorting import (
    FlowRunSort,
    FlowSort,
    LogSort,
    TaskRunSort,
    flow_ordering,
    flow_run_ordering,
    log_ordering,
    task_run_ordering,
)
from flowruns.models import Flow, FlowRun, TaskRun
from logs_app.models import Log
from tests.factories import FlowFactory, FlowRunFactory, LogFactory, TaskRunFactory

from .helpers import at

pytestmark = pytest.mark.django_db


def uid(n: int) -> UUID:
    return UUID(int=n)


def numbers(rows: Any) -> list[int]:
    return [row.id.int for row in rows]


# id: name, start_time, expected_start_time, next_scheduled_start_time, end_time (minutes)
RUNS: dict[int, tuple[str, int | None, int | None, int | None, int | None]] = {
    1: ("alpha", 50, 30, 30, None),
    2: ("beta", 10, 0, None, 20),
    3: ("alpha", None, None, None, None),
    4: ("gamma", 10, 0, 10, 20),
    5: ("beta", None, 40, 10, 40),
}


def minutes(value: int | None) -> Any:
    return None if value is None else at(value)


@pytest.fixture
def runs() -> None:
    for n, (name, start, expected, next_scheduled, end) in RUNS.items():
        FlowRunFactory.create(
            id=uid(n),
            name=name,
            start_time=minutes(start),
            expected_start_time=minutes(expected),
            next_scheduled_start_time=minutes(next_scheduled),
            end_time=minutes(end),
        )


@pytest.mark.usefixtures("runs")
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (FlowRunSort.ID_DESC, [5, 4, 3, 2, 1]),
        # coalesce(start, expected): 1→50, 2→10, 3→NULL, 4→10, 5→40
        (FlowRunSort.START_TIME_ASC, [2, 4, 5, 1, 3]),
        (FlowRunSort.START_TIME_DESC, [3, 1, 5, 4, 2]),
        (FlowRunSort.EXPECTED_START_TIME_ASC, [2, 4, 1, 5, 3]),
        (FlowRunSort.EXPECTED_START_TIME_DESC, [3, 5, 1, 4, 2]),
        (FlowRunSort.NAME_ASC, [1, 3, 2, 5, 4]),
        (FlowRunSort.NAME_DESC, [4, 5, 2, 3, 1]),
        (FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC, [4, 5, 1, 2, 3]),
        (FlowRunSort.END_TIME_DESC, [3, 1, 5, 4, 2]),
    ],
)
def test_flow_run_sorts(sort: FlowRunSort, expected: list[int]) -> None:
    assert numbers(FlowRun.objects.order_by(*flow_run_ordering(sort))) == expected


def test_every_flow_run_sort_value_is_covered() -> None:
    assert [s.value for s in FlowRunSort] == [
        "ID_DESC",
        "START_TIME_ASC",
        "START_TIME_DESC",
        "EXPECTED_START_TIME_ASC",
        "EXPECTED_START_TIME_DESC",
        "NAME_ASC",
        "NAME_DESC",
        "NEXT_SCHEDULED_START_TIME_ASC",
        "END_TIME_DESC",
    ]


@pytest.mark.usefixtures("runs")
@pytest.mark.parametrize("sort", list(FlowRunSort))
def test_pages_of_a_sort_neither_overlap_nor_skip(sort: FlowRunSort) -> None:
    ordered = FlowRun.objects.order_by(*flow_run_ordering(sort))
    paged = [n for offset in (0, 2, 4) for n in numbers(ordered[offset : offset + 2])]
    assert paged == numbers(ordered)
    assert sorted(paged) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (TaskRunSort.ID_DESC, [5, 4, 3, 2, 1]),
        (TaskRunSort.EXPECTED_START_TIME_ASC, [2, 4, 1, 5, 3]),
        (TaskRunSort.EXPECTED_START_TIME_DESC, [3, 5, 1, 4, 2]),
        (TaskRunSort.NAME_ASC, [1, 3, 2, 5, 4]),
        (TaskRunSort.NAME_DESC, [4, 5, 2, 3, 1]),
        (TaskRunSort.NEXT_SCHEDULED_START_TIME_ASC, [4, 5, 1, 2, 3]),
        (TaskRunSort.END_TIME_DESC, [3, 1, 5, 4, 2]),
    ],
)
def test_task_run_sorts(sort: TaskRunSort, expected: list[int]) -> None:
    for n, (name, start, expected_start, next_scheduled, end) in RUNS.items():
        TaskRunFactory.create(
            id=uid(n),
            name=name,
            start_time=minutes(start),
            expected_start_time=minutes(expected_start),
            next_scheduled_start_time=minutes(next_scheduled),
            end_time=minutes(end),
        )
    assert numbers(TaskRun.objects.order_by(*task_run_ordering(sort))) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (FlowSort.CREATED_DESC, [3, 2, 1]),
        (FlowSort.UPDATED_DESC, [3, 2, 1]),
        (FlowSort.NAME_ASC, [2, 1, 3]),
        (FlowSort.NAME_DESC, [3, 1, 2]),
    ],
)
def test_flow_sorts(sort: FlowSort, expected: list[int]) -> None:
    for n, name, created in ((1, "b", 0), (2, "a", 5), (3, "c", 5)):
        FlowFactory.create(id=uid(n), name=name, created=at(created))
    # `updated` is refreshed on save; set it directly: 1 oldest, 2 and 3 tied.
    Flow.objects.filter(id=uid(1)).update(updated=at(0))
    Flow.objects.filter(id__in=[uid(2), uid(3)]).update(updated=at(9))
    assert numbers(Flow.objects.order_by(*flow_ordering(sort))) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [(LogSort.TIMESTAMP_ASC, [2, 3, 1]), (LogSort.TIMESTAMP_DESC, [1, 3, 2])],
)
def test_log_sorts(sort: LogSort, expected: list[int]) -> None:
    for n, minute in ((1, 5), (2, 0), (3, 0)):
        LogFactory.create(id=uid(n), timestamp=at(minute))
    assert numbers(Log.objects.order_by(*log_ordering(sort))) == expected


class SortBody(BaseModel):
    sort: FlowRunSort = FlowRunSort.ID_DESC


def test_an_invalid_sort_is_an_enum_error_listing_the_values() -> None:
    assert SortBody().sort is FlowRunSort.ID_DESC
    assert SortBody.model_validate({"sort": "NAME_ASC"}).sort is FlowRunSort.NAME_ASC
    with pytest.raises(ValidationError) as excinfo:
        SortBody.model_validate({"sort": "name_asc"})
    [error] = excinfo.value.errors()
    assert error["type"] == "enum"
    assert "'ID_DESC'" in error["msg"] and "'END_TIME_DESC'" in error["msg"]
