"""The flow-run detail page: read-only, state history newest first, inputs, task runs,
links to the run's logs and CSV, and formatted JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from flowruns.models import StateType
from tests.factories import FlowRunInputFactory, FlowRunStateFactory, TaskRunFactory

from .conftest import change_url

pytestmark = pytest.mark.django_db


def test_state_history_is_listed_newest_first(admin_client, make_run):
    run = make_run(None)
    t0 = timezone.now() - timedelta(minutes=10)
    for i, (state_type, name) in enumerate(
        [("SCHEDULED", "Scheduled"), ("PENDING", "Pending"), ("RUNNING", "Running")]
    ):
        FlowRunStateFactory.create(
            flow_run=run, type=state_type, name=name, timestamp=t0 + timedelta(minutes=i)
        )
    page = admin_client.get(change_url(run)).content.decode()
    history = page[page.lower().index("state history (newest first)") :]
    positions = [history.index(f">{name}</span>") for name in ("Running", "Pending", "Scheduled")]
    assert positions == sorted(positions)


def test_inputs_and_task_runs_are_shown_with_links(admin_client, make_run):
    run = make_run(StateType.RUNNING)
    FlowRunInputFactory.create(flow_run=run, key="approval", value='{"ok": true}')
    task = TaskRunFactory.create(flow_run=run, name="extract-1", state_type=StateType.COMPLETED)
    page = admin_client.get(change_url(run)).content.decode()
    assert "approval" in page and "{&quot;ok&quot;: true}" in page
    assert f'href="/admin/flowruns/taskrun/{task.pk}/change/">extract-1</a>' in page
    assert f"/admin/flowruns/taskrun/?flow_run_id={run.pk}" in page


def test_only_the_first_task_runs_are_rendered(admin_client, make_run, monkeypatch):
    from flowruns.admin import flow_run_inlines

    monkeypatch.setattr(flow_run_inlines, "TASK_RUNS_SHOWN", 2)
    run = make_run(StateType.RUNNING)
    for i in range(4):
        TaskRunFactory.create(flow_run=run, name=f"task-{i}")
    page = admin_client.get(change_url(run)).content.decode()
    assert sum(f">task-{i}</a>" in page for i in range(4)) == 2


def test_links_to_the_runs_logs_and_csv_download(admin_client, make_run):
    run = make_run()
    page = admin_client.get(change_url(run)).content.decode()
    assert f'href="/admin/logs_app/log/?flow_run_id={run.pk}"' in page
    assert f'href="/api/flow_runs/{run.pk}/logs/download"' in page


def test_parameters_and_context_are_formatted_json(admin_client, make_run):
    run = make_run(parameters={"b": 1, "a": {"nested": [1, 2]}}, context={"k": "v"})
    page = admin_client.get(change_url(run)).content.decode()
    assert '<pre class="json"' in page
    assert "{\n  &quot;a&quot;: {\n    &quot;nested&quot;: [\n      1," in page


def test_detail_page_is_view_only(admin_client, make_run):
    run = make_run(name="before")
    page = admin_client.get(change_url(run)).content.decode()
    assert 'name="_save"' not in page
    response = admin_client.post(change_url(run), {"name": "after"})
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.name == "before"
