"""Sort options of the filter routes and the `ORDER BY` each compiles to (spec/api.md §5).

Two deliberate differences from Prefect, both about determinism:

* every ordering ends with `id` in the sort's direction, so pages never overlap or skip rows
  on ties (Prefect adds no tie-breaker);
* NULLs sort the PostgreSQL way on every database: last for ASC, first for DESC (SQLite's own
  default is the opposite). On PostgreSQL these are the default placements, so the explicit
  NULLS clause still matches the `(expr DESC, id DESC)` / `(expr, id)` indexes of `FlowRun`
  and `ORDER BY ... LIMIT` reads the index instead of sorting.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import DateTimeField, Expression, F, OrderBy
from django.db.models.functions import Coalesce


def _asc(expr: Expression | str) -> list[OrderBy]:
    column = F(expr) if isinstance(expr, str) else expr
    return [column.asc(nulls_last=True), F("id").asc()]


def _desc(expr: Expression | str) -> list[OrderBy]:
    column = F(expr) if isinstance(expr, str) else expr
    return [column.desc(nulls_first=True), F("id").desc()]


def _start() -> Expression:
    return Coalesce("start_time", "expected_start_time", output_field=DateTimeField())


class FlowRunSort(StrEnum):
    ID_DESC = "ID_DESC"
    START_TIME_ASC = "START_TIME_ASC"
    START_TIME_DESC = "START_TIME_DESC"
    EXPECTED_START_TIME_ASC = "EXPECTED_START_TIME_ASC"
    EXPECTED_START_TIME_DESC = "EXPECTED_START_TIME_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    NEXT_SCHEDULED_START_TIME_ASC = "NEXT_SCHEDULED_START_TIME_ASC"
    END_TIME_DESC = "END_TIME_DESC"


def flow_run_ordering(sort: FlowRunSort) -> list[OrderBy]:
    """`START_TIME_*` sort on coalesce(start_time, expected_start_time), like the filter."""
    match FlowRunSort(sort):
        case FlowRunSort.ID_DESC:
            return [F("id").desc()]
        case FlowRunSort.START_TIME_ASC:
            return _asc(_start())
        case FlowRunSort.START_TIME_DESC:
            return _desc(_start())
        case FlowRunSort.EXPECTED_START_TIME_ASC:
            return _asc("expected_start_time")
        case FlowRunSort.EXPECTED_START_TIME_DESC:
            return _desc("expected_start_time")
        case FlowRunSort.NAME_ASC:
            return _asc("name")
        case FlowRunSort.NAME_DESC:
            return _desc("name")
        case FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC:
            return _asc("next_scheduled_start_time")
        case FlowRunSort.END_TIME_DESC:
            return _desc("end_time")


class TaskRunSort(StrEnum):
    ID_DESC = "ID_DESC"
    EXPECTED_START_TIME_ASC = "EXPECTED_START_TIME_ASC"
    EXPECTED_START_TIME_DESC = "EXPECTED_START_TIME_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    NEXT_SCHEDULED_START_TIME_ASC = "NEXT_SCHEDULED_START_TIME_ASC"
    END_TIME_DESC = "END_TIME_DESC"


def task_run_ordering(sort: TaskRunSort) -> list[OrderBy]:
    match TaskRunSort(sort):
        case TaskRunSort.ID_DESC:
            return [F("id").desc()]
        case TaskRunSort.EXPECTED_START_TIME_ASC:
            return _asc("expected_start_time")
        case TaskRunSort.EXPECTED_START_TIME_DESC:
            return _desc("expected_start_time")
        case TaskRunSort.NAME_ASC:
            return _asc("name")
        case TaskRunSort.NAME_DESC:
            return _desc("name")
        case TaskRunSort.NEXT_SCHEDULED_START_TIME_ASC:
            return _asc("next_scheduled_start_time")
        case TaskRunSort.END_TIME_DESC:
            return _desc("end_time")


class FlowSort(StrEnum):
    """`/flows/filter`, default `NAME_ASC`."""

    CREATED_DESC = "CREATED_DESC"
    UPDATED_DESC = "UPDATED_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


def flow_ordering(sort: FlowSort) -> list[OrderBy]:
    match FlowSort(sort):
        case FlowSort.CREATED_DESC:
            return _desc("created")
        case FlowSort.UPDATED_DESC:
            return _desc("updated")
        case FlowSort.NAME_ASC:
            return _asc("name")
        case FlowSort.NAME_DESC:
            return _desc("name")


class LogSort(StrEnum):
    """`/logs/filter`, default `TIMESTAMP_ASC`."""

    TIMESTAMP_ASC = "TIMESTAMP_ASC"
    TIMESTAMP_DESC = "TIMESTAMP_DESC"


def log_ordering(sort: LogSort) -> list[OrderBy]:
    match LogSort(sort):
        case LogSort.TIMESTAMP_ASC:
            return _asc("timestamp")
        case LogSort.TIMESTAMP_DESC:
            return _desc("timestamp")
