"""LogFilter → `Q` over `Log` rows (spec/api.md §7.4)."""

from __future__ import annotations

from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat

from .. import operators as o
from ..lookups import ContainsText
from ..schemas import (
    LogFilter,
    LogFilterFlowRunId,
    LogFilterLevel,
    LogFilterTaskRunId,
    LogFilterTextSearch,
    LogFilterTimestamp,
    Operator,
)
from ..textsearch import parse_search_query


def _level(f: LogFilterLevel) -> Q:
    return o.combine([*o.ge_("level", f.ge_), *o.le_("level", f.le_)])


def _timestamp(f: LogFilterTimestamp) -> Q:
    return o.combine([*o.before_("timestamp", f.before_), *o.after_("timestamp", f.after_)])


def _flow_run_id(f: LogFilterFlowRunId) -> Q:
    return o.combine(o.any_("flow_run_id", f.any_))


def _task_run_id(f: LogFilterTaskRunId) -> Q:
    criteria = [*o.any_("task_run_id", f.any_), *o.is_null_("task_run_id", f.is_null_)]
    return o.combine(criteria)


def _text(f: LogFilterTextSearch) -> Q:
    """Over `message || ' ' || name`, case-insensitively. Terms are literal substrings (`%` and
    `_` are not wildcards here). An empty query matches every log."""
    terms = parse_search_query(f.query)
    text = Concat(F("message"), Value(" "), F("name"), output_field=TextField())

    def contains(term: str) -> Q:
        return Q(ContainsText(text, term))

    criteria = [contains(term) for term in terms.required]
    criteria += [~contains(term) for term in terms.exclude]
    if terms.include:
        criteria.append(o.combine(map(contains, terms.include), Operator.or_))
    return o.combine(criteria)


def log_criterion(f: LogFilter) -> Q:
    criteria = [
        *o.nested(f.level, _level),
        *o.nested(f.timestamp, _timestamp),
        *o.nested(f.flow_run_id, _flow_run_id),
        *o.nested(f.task_run_id, _task_run_id),
        *o.nested(f.text, _text),
    ]
    return o.combine(criteria, f.operator)
