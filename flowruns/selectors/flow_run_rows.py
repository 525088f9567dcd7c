"""Flow runs as light read-only rows, for list responses on the hot path.

A page of 200 runs built as Django model instances (a FlowRun, its state, queue and pool
each) spends more time in model construction than in the database. The list routes read
plain column tuples instead and wrap them in slotted objects with the same attribute names,
so `FlowRunSerializer` serves both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet

from flowruns.models import FlowRun

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


class FlowRunRow:
    """A flow run's columns plus `state` and `work_queue` (with `work_pool`)."""

    __slots__ = (*RUN_COLUMNS, "state", "work_queue")

    def __init__(self, values: Sequence[Any]) -> None:
        for name, value in zip(RUN_COLUMNS, values[:_N_RUN], strict=True):
            setattr(self, name, value)
        state = values[_N_RUN : _N_RUN + _N_STATE]
        self.state = StateRow(state) if state[0] is not None else None
        queue_name, pool_id, pool_name = values[_N_RUN + _N_STATE :]
        if self.work_queue_id is None:  # type: ignore[attr-defined]
            self.work_queue = None
        else:
            pool = WorkPoolRow(pool_id, pool_name) if pool_id is not None else None
            self.work_queue = WorkQueueRow(queue_name, pool)


def flow_run_rows(queryset: QuerySet[FlowRun]) -> list[FlowRunRow]:
    """Evaluate an ordered, sliced FlowRun queryset as rows (one query, joins included)."""
    rows: Iterable[Sequence[Any]] = queryset.values_list(*SELECTED)
    return [FlowRunRow(values) for values in rows]
