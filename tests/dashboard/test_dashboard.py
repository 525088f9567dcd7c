"""The admin index leads with the dashboard: runs by state as a served SVG chart, late and
stuck runs, the busiest flows and deployments with failure rates, the services' last passes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from background.models import ServiceState
from flowruns.models import StateType
from tests.factories import DeploymentFactory, FlowFactory, FlowRunFactory

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def run(state_type, *, age=timedelta(hours=2), **fields):
    fields.setdefault("expected_start_time", timezone.now() - age)
    return FlowRunFactory.create(state_type=state_type, with_state=True, **fields)


def test_index_shows_a_stacked_svg_chart_of_the_last_24_hours(admin_client):
    flow = FlowFactory.create(name="etl")
    for _ in range(3):
        run(StateType.COMPLETED, flow=flow)
    run(StateType.FAILED, flow=flow)
    run(StateType.COMPLETED, flow=flow, age=timedelta(days=3))  # outside 24 h
    run(StateType.SCHEDULED, flow=flow, age=timedelta(hours=-5))  # in the future
    html = admin_client.get(INDEX).content.decode()
    svg = re.search(r"<svg[^>]*class=\"runs-chart\".*?</svg>", html, re.S)
    assert svg is not None
    chart = svg.group(0)
    assert chart.count('class="bar state-completed"') == 1  # one bucket holds all three
    assert re.search(r"<title>[^<]*: 3 Completed</title>", chart)
    assert re.search(r"<title>[^<]*: 1 Failed</title>", chart)
    assert "Scheduled" not in chart
    assert 'aria-label="Flow runs by state, last 24 hours"' in chart
    assert "<script" not in html.split('id="dashboard"')[1].split("</div>")[0]


def test_seven_day_range_counts_older_runs(admin_client):
    run(StateType.COMPLETED, age=timedelta(days=3))
    html = admin_client.get(INDEX + "?range=7d").content.decode()
    assert "Flow runs by state, last 7 days" in html
    assert re.search(r"<title>[^<]*: 1 Completed</title>", html)


def test_chart_bars_link_to_the_runs_of_their_bucket(admin_client):
    run(StateType.COMPLETED, name="in-bucket", age=timedelta(minutes=90))
    run(StateType.COMPLETED, name="elsewhere", age=timedelta(hours=10))
    html = admin_client.get(INDEX).content.decode()
    links = re.findall(r'<a href="(/admin/flowruns/flowrun/\?expected[^"]+)">(.*?)</a>', html)
    assert len(links) == 24
    shown = []
    for link, bars in links:
        if "1 Completed" in bars:
            response = admin_client.get(link.replace("&amp;", "&"))
            assert response.status_code == 200
            shown.append([r.name for r in response.context["cl"].result_list])
    assert sorted(shown) == [["elsewhere"], ["in-bucket"]]


def test_late_runs_are_counted_and_listed_oldest_first(admin_client):
    old = run(StateType.SCHEDULED, state_name="Late", name="late-old", age=timedelta(hours=3))
    run(StateType.SCHEDULED, state_name="Late", name="late-new", age=timedelta(minutes=5))
    run(StateType.SCHEDULED, name="on-time", age=timedelta(hours=-1))
    response = admin_client.get(INDEX)
    dashboard = response.context["dashboard"]
    assert dashboard.late.count == 2
    assert [r["name"] for r in dashboard.late.runs] == ["late-old", "late-new"]
    html = response.content.decode()
    late_panel = html.split('id="dashboard-late"')[1].split('id="dashboard-stuck"')[0]
    assert f"/admin/flowruns/flowrun/{old.pk}/change/" in late_panel
    assert '<span class="big">2</span>late runs' in late_panel


def test_runs_stuck_running_or_cancelling_are_listed(admin_client):
    now = timezone.now()
    run(StateType.RUNNING, name="stuck", state_timestamp=now - timedelta(hours=7))
    run(StateType.RUNNING, name="fresh", state_timestamp=now - timedelta(minutes=5))
    run(StateType.CANCELLING, name="hung", state_timestamp=now - timedelta(hours=1))
    run(StateType.CANCELLING, name="just-asked", state_timestamp=now - timedelta(minutes=1))
    dashboard = admin_client.get(INDEX).context["dashboard"]
    assert [r["name"] for r in dashboard.stuck_running.runs] == ["stuck"]
    assert [r["name"] for r in dashboard.stuck_cancelling.runs] == ["hung"]
    assert (dashboard.stuck_running.count, dashboard.stuck_cancelling.count) == (1, 1)


def test_busiest_flows_and_deployments_with_failure_rates(admin_client):
    busy, quiet = FlowFactory.create(name="busy"), FlowFactory.create(name="quiet")
    deployment = DeploymentFactory.create(flow=busy, name="nightly")
    for state in (StateType.COMPLETED, StateType.COMPLETED, StateType.FAILED, StateType.CRASHED):
        run(state, flow=busy, deployment_id=deployment.id)
    run(StateType.COMPLETED, flow=quiet)
    run(StateType.FAILED, flow=quiet, age=timedelta(days=2))  # older than 24 h
    response = admin_client.get(INDEX)
    dashboard = response.context["dashboard"]
    assert [(a.name, a.total, a.failed) for a in dashboard.flows] == [
        ("busy", 4, 2),
        ("quiet", 1, 0),
    ]
    assert dashboard.flows[0].failure_rate == 0.5
    assert [(a.name, a.total) for a in dashboard.deployments] == [("busy/nightly", 4)]
    html = response.content.decode()
    assert "2 (50%)" in html.split('id="dashboard-flows"')[1]


def test_each_service_shows_its_last_pass_and_a_stale_one_is_flagged(admin_client):
    now = timezone.now()
    ServiceState.objects.create(
        name="late_runs",
        interval_seconds=5,
        last_started=now - timedelta(seconds=3),
        last_duration_ms=12,
        last_examined=40,
        last_changed=2,
    )
    ServiceState.objects.create(
        name="zombie_flow_runs", interval_seconds=5, last_started=now - timedelta(hours=2)
    )
    html = admin_client.get(INDEX).content.decode()
    panel = html.split('id="dashboard-services"')[1]
    late = panel.split('class="service-late_runs"')[1].split("</tr>")[0]
    assert "12 ms" in late and ">40<" in late and ">2<" in late and "stale" not in late
    zombie = panel.split('class="service-zombie_flow_runs"')[1].split("</tr>")[0]
    assert 'class="stale"' in zombie and "2\xa0hours ago" in zombie


def test_the_app_list_still_follows_the_dashboard(admin_client):
    html = admin_client.get(INDEX).content.decode()
    assert html.index('id="dashboard"') < html.index('id="content-main"') or (
        'class="app-flowruns' in html
    )
    assert "Flow runs" in html


def test_a_user_who_cannot_view_runs_gets_no_dashboard(client):
    user = User.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(user)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "dashboard" not in response.context


def test_dashboard_query_count_is_bounded(admin_client, django_assert_max_num_queries):
    flows = [FlowFactory.create() for _ in range(12)]
    for i in range(60):
        run(
            StateType.COMPLETED if i % 3 else StateType.FAILED,
            flow=flows[i % 12],
            deployment_id=DeploymentFactory.create(flow=flows[i % 12]).id if i < 12 else None,
        )
    with django_assert_max_num_queries(18):
        admin_client.get(INDEX)


def test_stuck_counts_stop_at_the_cap_and_say_so(admin_client, monkeypatch):
    from dashboard import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    old = timezone.now() - timedelta(hours=8)
    for _ in range(3):
        run(StateType.RUNNING, state_timestamp=old)
    html = admin_client.get(INDEX).content.decode()
    assert '<span class="big">2+</span>Running for more than 6 hours' in html
