"""The run list opens on recent runs, not next week's schedule; the run page draws the run's
timeline (states and task runs on a time axis) as served SVG, with times to the second."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from flowruns.models import FlowRunState, StateType
from tests.factories import TaskRunFactory

from .conftest import CHANGELIST, change_url, listed_names

pytestmark = pytest.mark.django_db


def test_list_opens_on_recent_runs_not_upcoming_ones(admin_client, make_run):
    make_run(StateType.SCHEDULED, name="next-week", age=timedelta(days=-7))
    make_run(StateType.RUNNING, name="running-now", age=timedelta(minutes=3))
    make_run(StateType.COMPLETED, name="finished", age=timedelta(hours=2))
    response = admin_client.get(CHANGELIST)
    assert listed_names(response) == ["running-now", "finished"]
    assert "Recent and active" in response.content.decode()


def test_upcoming_and_all_are_one_click_away(admin_client, make_run):
    make_run(StateType.SCHEDULED, name="next-week", age=timedelta(days=-7))
    make_run(StateType.COMPLETED, name="finished", age=timedelta(hours=2))
    assert listed_names(admin_client.get(CHANGELIST + "?show=upcoming")) == ["next-week"]
    assert listed_names(admin_client.get(CHANGELIST + "?show=all")) == ["next-week", "finished"]


def test_upcoming_runs_are_listed_soonest_first(admin_client, make_run):
    make_run(StateType.SCHEDULED, name="in-a-week", age=timedelta(days=-7))
    make_run(StateType.SCHEDULED, name="tomorrow", age=timedelta(days=-1))
    make_run(StateType.SCHEDULED, name="in-an-hour", age=timedelta(hours=-1))
    names = listed_names(admin_client.get(CHANGELIST + "?show=upcoming"))
    assert names == ["in-an-hour", "tomorrow", "in-a-week"]


def test_an_expected_start_range_overrides_the_default(admin_client, make_run):
    make_run(StateType.SCHEDULED, name="next-week", age=timedelta(days=-7))
    assert listed_names(admin_client.get(CHANGELIST + "?expected_start=future")) == ["next-week"]


def test_many_tags_are_shortened_with_the_rest_in_the_tooltip(admin_client, make_run):
    make_run(tags=["a", "b", "c", "d", "e"])
    page = admin_client.get(CHANGELIST).content.decode()
    assert '<span title="a, b, c, d, e">a, b, c +2</span>' in page


def test_list_times_show_seconds(admin_client, make_run):
    make_run(expected_start_time=datetime(2026, 12, 1, 8, 30, 15, tzinfo=UTC))
    page = admin_client.get(CHANGELIST).content.decode()
    assert "2026-12-01 08:30:15" in page


def test_run_page_draws_states_and_task_runs_on_a_time_axis(admin_client, make_run):
    t0 = timezone.now() - timedelta(minutes=10)
    run = make_run(
        StateType.COMPLETED,
        start_time=t0,
        end_time=t0 + timedelta(minutes=5),
        state_timestamp=t0 + timedelta(minutes=5),
    )
    FlowRunState.objects.create(
        flow_run=run,
        type="RUNNING",
        name="Running",
        timestamp=t0,
        state_details={"flow_run_id": str(run.id)},
    )
    TaskRunFactory.create(
        flow_run=run,
        name="extract-1",
        state_type=StateType.COMPLETED,
        start_time=t0 + timedelta(seconds=5),
        end_time=t0 + timedelta(seconds=65),
    )
    TaskRunFactory.create(
        flow_run=run,
        name="load-1",
        state_type=StateType.FAILED,
        start_time=t0 + timedelta(seconds=70),
        end_time=t0 + timedelta(seconds=100),
    )
    page = admin_client.get(change_url(run)).content.decode()
    svg = re.search(r'<svg[^>]*class="run-timeline".*?</svg>', page, re.S).group(0)
    assert svg.count('class="timeline-state') == 2
    assert svg.count('class="timeline-task-run"') == 2
    assert ">extract-1</text>" in svg and ">load-1</text>" in svg
    assert re.search(
        r"<title>extract-1: COMPLETED, [\d-]+ [\d:]{8} → [\d-]+ [\d:]{8} \(1m 00s\)</title>", svg
    )
    assert re.search(r">\d\d:\d\d:\d\d</text>", svg)  # axis ticks to the second
    assert "<script" not in svg


def test_run_without_states_has_no_timeline(admin_client, make_run):
    run = make_run(None)
    page = admin_client.get(change_url(run)).content.decode()
    assert 'class="run-timeline"' not in page
