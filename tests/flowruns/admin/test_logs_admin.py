"""The log admin: read-only, filtered by level, run and time, never counting the table."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import FlowRunFactory, LogFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

LOGS = "/admin/logs_app/log/"


def messages_listed(response) -> list[str]:
    return [log.message for log in response.context["cl"].result_list]


def test_newest_first_with_level_and_run_link(admin_client):
    run_id = uuid.uuid4()
    now = timezone.now()
    LogFactory.create(message="older", timestamp=now - timedelta(minutes=5), flow_run_id=run_id)
    LogFactory.create(message="newer", timestamp=now, level=40, flow_run_id=run_id)
    response = admin_client.get(LOGS)
    assert messages_listed(response) == ["newer", "older"]
    page = response.content.decode()
    assert ">ERROR</span>" in page
    assert f'href="/admin/flowruns/flowrun/{run_id}/change/"' in page


def test_log_list_names_the_flow_run_and_links_the_task_run(admin_client):
    run = FlowRunFactory.create(name="nightly-etl-run")
    task = TaskRunFactory.create(flow_run=run, name="extract-7")
    gone = uuid.uuid4()
    LogFactory.create(message="hello", flow_run_id=run.id, task_run_id=task.id)
    LogFactory.create(message="orphan", flow_run_id=gone)
    page = admin_client.get(LOGS).content.decode()
    assert (
        f'<a href="/admin/flowruns/flowrun/{run.id}/change/" title="{run.id}">nightly-etl-run</a>'
        in page
    )
    assert (
        f'<a href="/admin/flowruns/taskrun/{task.id}/change/" title="{task.id}">extract-7</a>'
        in page
    )
    assert f'title="{gone}">{gone}</a>' in page  # a deleted run shows its id


def test_a_log_page_names_its_runs(admin_client):
    run = FlowRunFactory.create(name="nightly-etl-run")
    log = LogFactory.create(message="hello", flow_run_id=run.id)
    page = admin_client.get(f"{LOGS}{log.pk}/change/").content.decode()
    assert ">nightly-etl-run</a>" in page


def test_filter_by_flow_run_id_query_parameter(admin_client):
    mine, other = uuid.uuid4(), uuid.uuid4()
    LogFactory.create(message="mine", flow_run_id=mine)
    LogFactory.create(message="other", flow_run_id=other)
    response = admin_client.get(LOGS, {"flow_run_id": str(mine)})
    assert messages_listed(response) == ["mine"]


def test_a_malformed_run_id_shows_nothing_and_says_why(admin_client):
    LogFactory.create(message="x", flow_run_id=uuid.uuid4())
    response = admin_client.get(LOGS, {"flow_run_id": "not-a-uuid"}, follow=True)
    assert messages_listed(response) == []
    assert "must be a full UUID" in response.content.decode()


def test_filter_by_minimum_level(admin_client):
    for level in (10, 20, 30, 40):
        LogFactory.create(message=f"level {level}", level=level)
    response = admin_client.get(LOGS, {"level": "30"})
    assert sorted(messages_listed(response)) == ["level 30", "level 40"]


def test_filter_by_time_range(admin_client):
    now = timezone.now()
    LogFactory.create(message="recent", timestamp=now - timedelta(minutes=5))
    LogFactory.create(message="old", timestamp=now - timedelta(days=45))
    assert messages_listed(admin_client.get(LOGS, {"time": "1h"})) == ["recent"]
    assert messages_listed(admin_client.get(LOGS, {"time": "older-30d"})) == ["old"]


def test_search_by_flow_run_or_task_run_id(admin_client):
    run_id, task_id = uuid.uuid4(), uuid.uuid4()
    LogFactory.create(message="from run", flow_run_id=run_id)
    LogFactory.create(message="from task", task_run_id=task_id)
    LogFactory.create(message="unrelated")
    assert messages_listed(admin_client.get(LOGS, {"q": str(run_id)})) == ["from run"]
    assert messages_listed(admin_client.get(LOGS, {"q": str(task_id)})) == ["from task"]


def test_text_search_needs_a_run_first(admin_client):
    run_id = uuid.uuid4()
    LogFactory.create(message="disk full", flow_run_id=run_id)
    LogFactory.create(message="disk ok", flow_run_id=uuid.uuid4())
    refused = admin_client.get(LOGS, {"q": "disk"})
    assert messages_listed(refused) == []
    assert "pick the run under" in refused.content.decode()
    found = admin_client.get(LOGS, {"q": "full", "flow_run_id": str(run_id)})
    assert messages_listed(found) == ["disk full"]


def test_logs_are_read_only(admin_client):
    log = LogFactory.create()
    assert admin_client.get(f"{LOGS}add/").status_code == 403
    assert admin_client.post(f"{LOGS}{log.pk}/change/", {"message": "x"}).status_code == 403
    assert admin_client.post(f"{LOGS}{log.pk}/delete/").status_code == 403
    page = admin_client.get(f"{LOGS}{log.pk}/change/")
    assert page.status_code == 200


def test_log_list_never_counts_the_whole_table(admin_client):
    LogFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(LOGS)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 10001" in counts[0]
