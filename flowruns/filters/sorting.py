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

from django.db.models import DateTimeField, F, OrderBy
from django.db.models.functions import Coalesce


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


class TaskRunSort(StrEnum):
    ID_DESC = "ID_DESC"
    EXPECTED_START_TIME_ASC = "EXPECTED_START_TIME_ASC"
    EXPECTED_START_TIME_DESC = "EXPECTED_START_TIME_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    NEXT_SCHEDULED_START_TIME_ASC = "NEXT_SCHEDULED_START_TIME_ASC"
    END_TIME_DESC = "END_TIME_DESC"


class FlowSort(StrEnum):
    """`/flows/filter`, default `NAME_ASC`."""

    CREATED_DESC = "CREATED_DESC"
    UPDATED_DESC = "UPDATED_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


class LogSort(StrEnum):
    """`/logs/filter`, default `TIMESTAMP_ASC`."""

    TIMESTAMP_ASC = "TIMESTAMP_ASC"
    TIMESTAMP_DESC = "TIMESTAMP_DESC"


def ordering(sort: StrEnum) -> list[OrderBy]:
    """The `ORDER BY` of a sort value of any route. `ID_DESC` is `id DESC`; every other value
    is `<KEY>_ASC` or `<KEY>_DESC`: the column KEY names in lower case, then `id`, both in that
    direction. `START_TIME` is coalesce(start_time, expected_start_time), as in the filter."""
    if sort == "ID_DESC":
        return [F("id").desc()]
    key, _, direction = sort.rpartition("_")
    column: F | Coalesce = F(key.lower())
    if key == "START_TIME":
        column = Coalesce("start_time", "expected_start_time", output_field=DateTimeField())
    if direction == "ASC":
        return [column.asc(nulls_last=True), F("id").asc()]
    return [column.desc(nulls_first=True), F("id").desc()]


# The per-resource names the selectors use: one rule orders them all.
flow_run_ordering = task_run_ordering = flow_ordering = log_ordering = ordering
