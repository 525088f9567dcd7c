"""Shared by the FlowRunFilter tests: run a `flow_runs` filter against the rows."""

from __future__ import annotations

from typing import Any

from flowruns.models import FlowRun
from tests.flowruns.filters.helpers import flow_runs


def matching(flow_run_filter: dict[str, Any]) -> set[Any]:
    return flow_runs({"flow_runs": flow_run_filter})


def everything() -> set[Any]:
    return set(FlowRun.objects.values_list("id", flat=True))
