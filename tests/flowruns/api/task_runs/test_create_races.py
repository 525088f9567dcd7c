"""Concurrent creates of one task run (PostgreSQL: real transactions, real threads)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connections
from rest_framework.test import APIClient

from flowruns.models import TaskRun, TaskRunState

from .helpers import create_flow_run

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_fifty_concurrent_creates_of_one_task_make_one_task_run(attempt):
    flow_run_id = create_flow_run(APIClient())["id"]
    body = {"flow_run_id": flow_run_id, "task_key": "racy", "dynamic_key": str(attempt)}
    barrier = threading.Barrier(50)
    results: list[Any] = [None] * 50

    def worker(i: int) -> None:
        try:
            barrier.wait()
            response = APIClient().post("/api/task_runs/", body, format="json")
            results[i] = (response.status_code, response.json()["id"])
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not [r for r in results if not isinstance(r, tuple)], results
    assert Counter(status for status, _ in results) == {201: 1, 200: 49}
    assert len({task_run_id for _, task_run_id in results}) == 1
    assert TaskRun.objects.filter(flow_run_id=flow_run_id).count() == 1
    assert TaskRunState.objects.filter(task_run__flow_run_id=flow_run_id).count() == 1
