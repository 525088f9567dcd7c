"""Deleting a flow run deletes its logs (api.md §6.11), and only its logs."""

from __future__ import annotations

import uuid

import pytest

from logs_app.models import Log
from logs_app.services import logs_delete_for_runs
from tests.factories import FlowRunFactory, LogFactory, TaskRunFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_run_through_the_api_removes_its_logs_only(api):
    run, other = FlowRunFactory(), FlowRunFactory()
    LogFactory.create_batch(3, flow_run_id=run.id)
    kept = LogFactory.create_batch(2, flow_run_id=other.id)
    orphan = LogFactory.create(flow_run_id=None)

    assert api.delete(f"/api/flow_runs/{run.id}").status_code == 204

    assert set(Log.objects.values_list("id", flat=True)) == {log.id for log in [*kept, orphan]}
    assert api.get(f"/api/flow_runs/{run.id}/logs/download").status_code == 404


def test_deleting_an_unknown_run_leaves_logs_alone(api):
    run_id = uuid.uuid4()
    LogFactory.create(flow_run_id=run_id)
    assert api.delete(f"/api/flow_runs/{run_id}").status_code == 404
    assert Log.objects.filter(flow_run_id=run_id).count() == 1


def test_logs_delete_for_runs_counts_what_it_deleted():
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    LogFactory.create_batch(2, flow_run_id=first)
    LogFactory.create(flow_run_id=second)
    LogFactory.create(flow_run_id=third)
    assert logs_delete_for_runs([first, second]) == 3
    assert list(Log.objects.values_list("flow_run_id", flat=True)) == [third]
    assert logs_delete_for_runs([]) == 0


def test_deleting_a_task_run_removes_its_logs_only(api):
    task_run = TaskRunFactory()
    other = TaskRunFactory()
    LogFactory(flow_run_id=task_run.flow_run_id, task_run_id=task_run.id)
    LogFactory(flow_run_id=other.flow_run_id, task_run_id=other.id)
    assert api.delete(f"/api/task_runs/{task_run.id}").status_code == 204
    assert not Log.objects.filter(task_run_id=task_run.id).exists()
    assert Log.objects.filter(task_run_id=other.id).count() == 1
