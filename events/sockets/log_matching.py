"""In-memory LogFilter matching for `/api/logs/out`, with the semantics of the SQL compiler
(`flowruns.filters.compile.logs`): inclusive bounds, `any_: []` matches nothing, text terms
are case-insensitive substrings of `message + " " + name`, criteria combined by `operator`.

Logs arrive in wire form (`logs_app.api.serializers.LogSerializer`): ids and times as strings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from flowruns.filters.schemas import (
    LogFilter,
    LogFilterFlowRunId,
    LogFilterLevel,
    LogFilterTaskRunId,
    LogFilterTextSearch,
    LogFilterTimestamp,
    Operator,
)
from flowruns.filters.textsearch import parse_search_query

Log = dict[str, Any]
Check = Callable[[Log], bool]


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


def _time(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _level(f: LogFilterLevel) -> Check:
    def check(log: Log) -> bool:
        level = int(log["level"])
        return (f.ge_ is None or level >= f.ge_) and (f.le_ is None or level <= f.le_)

    return check


def _timestamp(f: LogFilterTimestamp) -> Check:
    def check(log: Log) -> bool:
        at = _time(log["timestamp"])
        return (f.before_ is None or at <= f.before_) and (f.after_ is None or at >= f.after_)

    return check


def _flow_run_id(f: LogFilterFlowRunId) -> Check:
    wanted = None if f.any_ is None else set(f.any_)
    return lambda log: wanted is None or _uuid(log.get("flow_run_id")) in wanted


def _task_run_id(f: LogFilterTaskRunId) -> Check:
    wanted = None if f.any_ is None else set(f.any_)

    def check(log: Log) -> bool:
        task_run_id = _uuid(log.get("task_run_id"))
        if wanted is not None and task_run_id not in wanted:
            return False
        return f.is_null_ is None or f.is_null_ == (task_run_id is None)

    return check


def _text(f: LogFilterTextSearch) -> Check:
    terms = parse_search_query(f.query)

    def check(log: Log) -> bool:
        text = f"{log.get('message', '')} {log.get('name', '')}".lower()
        if any(term.lower() not in text for term in terms.required):
            return False
        if any(term.lower() in text for term in terms.exclude):
            return False
        return not terms.include or any(term.lower() in text for term in terms.include)

    return check


def log_matcher(f: LogFilter) -> Check:
    """A predicate over wire-form logs equivalent to `log_filter_q(f)` over rows."""
    checks: list[Check] = []
    if f.level is not None:
        checks.append(_level(f.level))
    if f.timestamp is not None:
        checks.append(_timestamp(f.timestamp))
    if f.flow_run_id is not None:
        checks.append(_flow_run_id(f.flow_run_id))
    if f.task_run_id is not None:
        checks.append(_task_run_id(f.task_run_id))
    if f.text is not None:
        checks.append(_text(f.text))
    if not checks:
        return lambda log: True
    if f.operator == Operator.or_:
        return lambda log: any(check(log) for check in checks)
    return lambda log: all(check(log) for check in checks)
