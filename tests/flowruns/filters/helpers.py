"""Run a JSON filter body the way a view would: validate it, compile it, query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from flowruns.filters.bodies import FlowQuery, FlowRunQuery, LogQuery, TaskRunQuery
from flowruns.models import Flow, FlowRun, TaskRun
from logs_app.models import Log

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def iso(minutes: float) -> str:
    return at(minutes).isoformat()


def flow_runs(body: dict[str, Any]) -> set[UUID]:
    q = FlowRunQuery.model_validate(body).q()
    return set(FlowRun.objects.filter(q).values_list("id", flat=True))


def task_runs(body: dict[str, Any]) -> set[UUID]:
    q = TaskRunQuery.model_validate(body).q()
    return set(TaskRun.objects.filter(q).values_list("id", flat=True))


def flows(body: dict[str, Any]) -> set[UUID]:
    q = FlowQuery.model_validate(body).q()
    return set(Flow.objects.filter(q).values_list("id", flat=True))


def logs(body: dict[str, Any]) -> set[UUID]:
    q = LogQuery.model_validate(body).q()
    return set(Log.objects.filter(q).values_list("id", flat=True))


def ids(*objects: Any) -> set[UUID]:
    return {obj.id for obj in objects}
