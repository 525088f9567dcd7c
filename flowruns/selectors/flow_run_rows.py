"""Flow runs as light read-only rows, for list responses on the hot path.

A page of 200 runs built as Django model instances (a FlowRun, its state, queue and pool
each) spends more time in model construction than in the database. The list routes read
plain column tuples instead (Django's converters, a cheaper one for JSON: `row_converters`)
and wrap them in tuples with the same attribute names, so `FlowRunSerializer` serves both.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from flowruns.models import FlowRun

from .row_converters import values_rows

RUN_COLUMNS: tuple[str, ...] = tuple(f.attname for f in FlowRun._meta.concrete_fields)
STATE_COLUMNS = ("id", "type", "name", "timestamp", "message", "data", "state_details")
QUEUE_COLUMNS = ("work_queue__name", "work_queue__work_pool_id", "work_queue__work_pool__name")
SELECTED = (*RUN_COLUMNS, *(f"state__{c}" for c in STATE_COLUMNS), *QUEUE_COLUMNS)
_N_RUN, _N_STATE = len(RUN_COLUMNS), len(STATE_COLUMNS)


class StateRow:
    __slots__ = STATE_COLUMNS

    def __init__(self, values: Sequence[Any]) -> None:
        for name, value in zip(STATE_COLUMNS, values, strict=True):
            setattr(self, name, value)


class WorkPoolRow:
    __slots__ = ("id", "name")

    def __init__(self, pool_id: Any, name: str) -> None:
        self.id, self.name = pool_id, name


class WorkQueueRow:
    __slots__ = ("name", "work_pool")

    def __init__(self, name: str, work_pool: WorkPoolRow | None) -> None:
        self.name, self.work_pool = name, work_pool


_FlowRunColumns = namedtuple("_FlowRunColumns", (*RUN_COLUMNS, "state", "work_queue"))  # type: ignore[misc]
_WORK_QUEUE_ID = RUN_COLUMNS.index("work_queue_id")


class FlowRunRow(_FlowRunColumns):
    """A flow run's columns plus `state` and `work_queue` (with `work_pool`), read-only.

    A tuple: a page of runs is built at the speed of tuple construction, and its attributes
    read as fast as slots."""

    __slots__ = ()

    def __new__(cls, values: Sequence[Any]) -> FlowRunRow:
        state = values[_N_RUN : _N_RUN + _N_STATE]
        queue_name, pool_id, pool_name = values[_N_RUN + _N_STATE :]
        if values[_WORK_QUEUE_ID] is None:
            queue = None
        else:
            pool = WorkPoolRow(pool_id, pool_name) if pool_id is not None else None
            queue = WorkQueueRow(queue_name, pool)
        return tuple.__new__(
            cls,
            (*values[:_N_RUN], StateRow(state) if state[0] is not None else None, queue),
        )


def flow_run_rows(queryset: QuerySet[FlowRun]) -> list[FlowRunRow]:
    """Evaluate an ordered, sliced FlowRun queryset as rows (one query, joins included)."""
    return [FlowRunRow(values) for values in values_rows(queryset.values_list(*SELECTED))]
