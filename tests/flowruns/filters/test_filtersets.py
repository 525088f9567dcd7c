"""The django-filter FilterSets behind `GET /api/flow_runs/` and `GET /api/flows/`."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict

from flowruns.filters.filtersets import FlowFilterSet, FlowRunFilterSet
from flowruns.models import Flow, FlowRun, StateType
from tests.factories import FlowFactory, FlowRunFactory

from .helpers import at, ids

pytestmark = pytest.mark.django_db


def run_ids(query: str) -> set[Any]:
    filterset = FlowRunFilterSet(data=QueryDict(query), queryset=FlowRun.objects.all())
    assert filterset.is_valid(), filterset.errors
    return {run.id for run in filterset.qs}


def flow_ids(query: str) -> set[Any]:
    filterset = FlowFilterSet(data=QueryDict(query), queryset=Flow.objects.all())
    assert filterset.is_valid(), filterset.errors
    return {flow.id for flow in filterset.qs}


class TestFlowRunFilterSet:
    def test_no_parameters_is_every_run(self) -> None:
        FlowRunFactory.create_batch(2)
        assert len(run_ids("")) == 2

    def test_state_type_accepts_several(self) -> None:
        running = FlowRunFactory.create(state_type=StateType.RUNNING)
        failed = FlowRunFactory.create(state_type=StateType.FAILED)
        FlowRunFactory.create(state_type=StateType.COMPLETED)
        assert run_ids("state_type=RUNNING") == ids(running)
        assert run_ids("state_type=RUNNING&state_type=FAILED") == ids(running, failed)

    def test_an_unknown_state_type_is_invalid(self) -> None:
        filterset = FlowRunFilterSet(data=QueryDict("state_type=nope"), queryset=FlowRun.objects)
        assert not filterset.is_valid()
        assert "state_type" in filterset.errors

    def test_state_name(self) -> None:
        late = FlowRunFactory.create(state_type=StateType.SCHEDULED, state_name="Late")
        FlowRunFactory.create(state_type=StateType.SCHEDULED)
        assert run_ids("state_name=Late") == ids(late)

    def test_flow_and_flow_name(self) -> None:
        flow = FlowFactory.create(name="etl")
        mine = FlowRunFactory.create(flow=flow)
        FlowRunFactory.create()
        assert run_ids(f"flow={flow.id}") == ids(mine)
        assert run_ids("flow_name=etl") == ids(mine)

    def test_deployment(self) -> None:
        run = FlowRunFactory.create(deployment_id="6f1ad1b0-0b26-4a43-8a5c-7d5b8f00a001")
        FlowRunFactory.create()
        assert run_ids("deployment=6f1ad1b0-0b26-4a43-8a5c-7d5b8f00a001") == ids(run)

    def test_tags_must_all_match(self) -> None:
        ab = FlowRunFactory.create(tags=["a", "b"])
        a = FlowRunFactory.create(tags=["a"])
        assert run_ids("tag=a") == ids(ab, a)
        assert run_ids("tag=a&tag=b") == ids(ab)
        assert run_ids("tag=zzz") == set()

    def test_name_is_a_case_insensitive_substring(self) -> None:
        run = FlowRunFactory.create(name="Nightly-Load")
        FlowRunFactory.create(name="other")
        assert run_ids("name=nightly") == ids(run)
        assert run_ids("name=y_l") == set()

    @pytest.mark.parametrize("field", ["start_time", "expected_start_time", "end_time", "created"])
    def test_time_ranges_are_inclusive(self, field: str) -> None:
        early = FlowRunFactory.create(**{field: at(0)})
        late = FlowRunFactory.create(**{field: at(60)})
        assert run_ids(f"{field}_after=2024-01-01T00:30:00Z") == ids(late)
        assert run_ids(f"{field}_before=2024-01-01T00:00:00Z") == ids(early)
        both = f"{field}_after=2024-01-01T00:00:00Z&{field}_before=2024-01-01T01:00:00%2B00:00"
        assert run_ids(both) == ids(early, late)


class TestFlowFilterSet:
    def test_name_and_tag(self) -> None:
        a = FlowFactory.create(name="Ingest", tags=["prod", "etl"])
        b = FlowFactory.create(name="report", tags=["prod"])
        assert flow_ids("name=inges") == ids(a)
        assert flow_ids("tag=prod") == ids(a, b)
        assert flow_ids("tag=prod&tag=etl") == ids(a)
        assert flow_ids("tag=prod&name=rep") == ids(b)
