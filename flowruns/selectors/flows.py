"""Flows for responses: one by id or name, and filtered, sorted pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from flowruns.filters.sorting import FlowSort, ordering
from flowruns.models import Flow


def flow_get(**lookup: Any) -> Flow | None:
    """The flow with `pk=...` or `name=...`, None when there is none."""
    return Flow.objects.filter(**lookup).first()


def flows_page(*, where: Q, sort: FlowSort, limit: int, offset: int) -> list[Flow]:
    if limit == 0:
        return []
    return list(Flow.objects.filter(where).order_by(*ordering(sort))[offset : offset + limit])


def flows_count(*, where: Q) -> int:
    return Flow.objects.filter(where).count()
