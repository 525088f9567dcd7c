"""What every delete path shares: one-statement deletes, the hooks other apps plug into, and
the running summary of a deletion done in batches.

Logs live in `logs_app`, which depends on this app (not the reverse). At startup it registers
deleters here; every transaction that deletes flow runs or task runs calls them with the
batch's ids, so children are removed by indexed id lookups — never by hunting for orphans.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

ChildrenDeleter = Callable[[list[UUID]], object]
_flow_run_deleters: list[ChildrenDeleter] = []
_task_run_deleters: list[ChildrenDeleter] = []


def register_run_children_deleter(deleter: ChildrenDeleter) -> None:
    """Have `deleter(flow_run_ids)` called inside every flow-run-deleting transaction."""
    if deleter not in _flow_run_deleters:
        _flow_run_deleters.append(deleter)


def register_task_run_children_deleter(deleter: ChildrenDeleter) -> None:
    """Have `deleter(task_run_ids)` called inside every task-run-deleting transaction."""
    if deleter not in _task_run_deleters:
        _task_run_deleters.append(deleter)


def delete_flow_run_children(flow_run_ids: list[UUID]) -> None:
    for deleter in _flow_run_deleters:
        deleter(flow_run_ids)


def delete_task_run_children(task_run_ids: list[UUID]) -> None:
    for deleter in _task_run_deleters:
        deleter(task_run_ids)


def raw_delete(queryset: Any) -> int:
    """One `DELETE ... WHERE`, skipping Django's collector (which loads every related row
    into memory first); callers handle every referencing row themselves."""
    return int(queryset._raw_delete(queryset.db))


@dataclass
class DeletionSummary:
    """How far a batched deletion got; updated after every committed batch."""

    deleted: int = 0
    batches: int = 0
    by_state_type: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    # The longest batch transaction: the longest any row lock was held by the deletion.
    longest_batch: float = 0.0

    def batch_took(self, seconds: float) -> None:
        self.batches += 1
        self.longest_batch = max(self.longest_batch, seconds)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


BatchCallback = Callable[[DeletionSummary], None]
