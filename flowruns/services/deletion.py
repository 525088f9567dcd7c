"""What every delete path shares: one-statement deletes and the hooks other apps plug into.

Logs live in `logs_app`, which depends on this app (not the reverse). At startup it registers
deleters here; every transaction that deletes flow runs or task runs calls them with the
batch's ids, so children are removed by indexed id lookups — never by hunting for orphans.
"""

from __future__ import annotations

from collections.abc import Callable
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
