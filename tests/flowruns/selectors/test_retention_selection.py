"""What `delete_flow_runs` selects (`FlowRunSelection`), built with the API's filter compiler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from flowruns.models import FlowRun, StateType
from flowruns.selectors.flow_run_criteria import deployment_q, ended_before_q
from flowruns.selectors.retention import FlowRunSelection, flow_runs_count_by_state_type
from tests.factories import DeploymentFactory, FlowFactory, FlowRunFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def selected(q) -> set[str]:
    return set(FlowRun.objects.filter(q).values_list("name", flat=True))


def test_selection_matches_the_api_filter(api):
    """The command's selection is the API's: the same criteria through /flow_runs/filter."""
    flow = FlowFactory.create(name="etl")
    FlowRunFactory.create(state_type=StateType.FAILED, flow=flow, tags=["prod"], name="a")
    FlowRunFactory.create(state_type=StateType.COMPLETED, flow=flow, tags=["prod", "x"], name="b")
    FlowRunFactory.create(state_type=StateType.FAILED, flow=flow, tags=["dev"], name="c")
    FlowRunFactory.create(state_type=StateType.FAILED, tags=["prod"], name="d")
    selection = FlowRunSelection(state_types=("FAILED",), flow_names=("etl",), tags=("prod",))
    body = {
        "flows": {"name": {"any_": ["etl"]}},
        "flow_runs": {"state": {"type": {"any_": ["FAILED"]}}, "tags": {"all_": ["prod"]}},
    }
    response = api.post("/api/flow_runs/filter", body, format="json")
    assert selected(selection.q()) == {r["name"] for r in response.json()} == {"a"}


def test_without_state_types_only_terminal_runs_unless_include_active():
    for state in [*StateType, None]:
        FlowRunFactory.create(state_type=state, name=str(state))
    assert selected(FlowRunSelection().q()) == {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}
    assert selected(FlowRunSelection(include_active=True).q()) == {
        *(t.value for t in StateType),
        "None",
    }
    assert selected(FlowRunSelection(state_types=("PAUSED",)).q()) == {"PAUSED"}


def test_only_a_criterion_counts_as_a_selector():
    assert not FlowRunSelection(include_active=True).has_selector
    assert FlowRunSelection(tags=("prod",)).has_selector
    assert FlowRunSelection(cutoff=timezone.now()).has_selector


def test_age_is_the_end_time_or_the_expected_start_of_a_run_that_never_ended():
    now = timezone.now()
    FlowRunFactory.create(name="ended-old", end_time=now - 40 * DAY, expected_start_time=now)
    FlowRunFactory.create(name="ended-new", end_time=now - DAY, expected_start_time=now - 90 * DAY)
    FlowRunFactory.create(name="never-ended-old", expected_start_time=now - 40 * DAY)
    FlowRunFactory.create(name="never-ended-new", expected_start_time=now - DAY)
    assert selected(ended_before_q(now - 30 * DAY)) == {"ended-old", "never-ended-old"}


def test_a_deployment_is_named_by_id_name_or_flow_and_name():
    etl, report = FlowFactory.create(name="etl"), FlowFactory.create(name="report")
    etl_daily = DeploymentFactory.create(flow=etl, name="daily")
    report_daily = DeploymentFactory.create(flow=report, name="daily")
    FlowRunFactory.create(name="etl-run", flow=etl, deployment_id=etl_daily.id)
    FlowRunFactory.create(name="report-run", flow=report, deployment_id=report_daily.id)
    FlowRunFactory.create(name="adhoc", flow=etl)
    assert selected(deployment_q(str(etl_daily.id))) == {"etl-run"}
    assert selected(deployment_q("daily")) == {"etl-run", "report-run"}
    assert selected(deployment_q("report/daily")) == {"report-run"}
    assert selected(deployment_q("nightly")) == set()


def test_dry_run_counts_are_per_state_type_with_stateless_runs_apart():
    FlowRunFactory.create_batch(2, state_type=StateType.COMPLETED)
    FlowRunFactory.create(state_type=StateType.RUNNING)
    FlowRunFactory.create(state_type=None)
    counts = flow_runs_count_by_state_type(FlowRunSelection(include_active=True).q())
    assert counts == {"COMPLETED": 2, "RUNNING": 1, "(none)": 1}
