"""Task runs in the admin: the flow run's page lists them with state and timing; a task run's
page shows its newest states and first log lines, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flowruns.models import StateType, TaskRun, TaskRunState
from tests.factories import LogFactory, TaskRunFactory

from .conftest import change_url

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def task_url(task_run: TaskRun) -> str:
    return f"/admin/flowruns/taskrun/{task_run.pk}/change/"


def add_states(task_run: TaskRun, *names: str) -> None:
    for i, name in enumerate(names):
        TaskRunState.objects.create(
            task_run=task_run,
            type=name.upper(),
            name=name,
            timestamp=T0 + timedelta(seconds=i),
            state_details={"task_run_id": str(task_run.pk), "cache_key": f"key-{i}"},
        )


def test_the_flow_run_page_lists_task_runs_with_state_and_timing(admin_client, make_run):
    run = make_run(StateType.RUNNING)
    TaskRunFactory.create(
        flow_run=run,
        name="extract-1",
        state_type=StateType.COMPLETED,
        start_time=T0,
        end_time=T0 + timedelta(seconds=75),
        total_run_time=75.0,
    )

    page = admin_client.get(change_url(run)).content.decode()

    section = page[page.lower().index("task runs (first") :]
    assert ">extract-1</a>" in section
    assert 'class="state-badge state-completed"' in section
    assert "1m 15s" in section
    assert "2026-12-06 02:00:00" in section and "2026-12-06 02:01:15" in section


def test_the_task_run_page_shows_the_newest_states_first(admin_client, monkeypatch):
    from flowruns.admin import task_runs

    monkeypatch.setattr(task_runs, "STATES_SHOWN", 2)
    task_run = TaskRunFactory.create(state_type=StateType.COMPLETED)
    add_states(task_run, "Pending", "Running", "Completed")

    page = admin_client.get(task_url(task_run)).content.decode()

    history = page[page.lower().index("state history (newest first") :]
    assert history.index(">Completed</span>") < history.index(">Running</span>")
    assert ">Pending</span>" not in history
    assert "key-2" in history


def test_the_task_run_page_shows_its_first_log_lines_and_links_to_all(admin_client):
    task_run = TaskRunFactory.create()
    LogFactory.create(task_run_id=task_run.pk, flow_run_id=task_run.flow_run_id, message="hello")
    LogFactory.create(task_run_id=None, flow_run_id=task_run.flow_run_id, message="flow-level")

    page = admin_client.get(task_url(task_run)).content.decode()

    assert f'href="/admin/logs_app/log/?q={task_run.pk}"' in page
    lines = page[page.index('<table class="task-run-log-lines">') :]
    assert "<td>hello</td>" in lines and "flow-level" not in lines
    assert "<caption>1 lines</caption>" in lines


def test_a_task_run_without_logs_says_so(admin_client):
    page = admin_client.get(task_url(TaskRunFactory.create())).content.decode()
    assert "No logs." in page


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_task_run_page_query_count_does_not_grow_with_states_or_logs(admin_client):
    task_run = TaskRunFactory.create(state_type=StateType.RUNNING)
    add_states(task_run, "Pending")
    LogFactory.create(task_run_id=task_run.pk)
    few = queries_for(admin_client, task_url(task_run))

    TaskRunState.objects.filter(task_run=task_run).delete()
    add_states(task_run, *(["Running"] * 30))
    for _ in range(30):
        LogFactory.create(task_run_id=task_run.pk)

    assert queries_for(admin_client, task_url(task_run)) == few
