"""Concurrent workers polling one pool on PostgreSQL (one connection per thread): no run is
ever handed to two workers, limits hold across pollers, and every run is handed out."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from flowruns.models import FlowRun, WorkPool
from tests.factories import FlowFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    start = threading.Barrier(count)

    def run(index: int) -> object:
        try:
            start.wait(30)
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def seed(runs: int, **pool_fields: object) -> WorkPool:
    response = APIClient().post(
        "/api/work_pools/", {"name": "race", "type": "process", **pool_fields}, format="json"
    )
    assert response.status_code == 201
    pool = WorkPool.objects.get(name="race")
    flow = FlowFactory()
    when = timezone.now() - timedelta(minutes=1)
    FlowRun.objects.bulk_create(
        FlowRun(
            flow=flow,
            name=f"r{i}",
            work_queue_id=pool.default_queue_id,
            state_type="SCHEDULED",
            state_name="Scheduled",
            next_scheduled_start_time=when + timedelta(milliseconds=i),
            expected_start_time=when,
        )
        for i in range(runs)
    )
    return pool


def poll_until_empty(limit: int) -> list[str]:
    api = APIClient()
    got: list[str] = []
    for _ in range(100):  # bounded: without claims the same runs would come back forever
        body = {"work_queue_names": [], "limit": limit}
        response = api.post("/api/work_pools/race/get_scheduled_flow_runs", body, format="json")
        assert response.status_code == 200, response.content
        ids = [item["flow_run"]["id"] for item in response.json()]
        if not ids:
            return got
        got += ids
    return got


def test_twenty_workers_polling_at_once_never_receive_the_same_run():
    seed(300)

    answers = in_threads(20, lambda _: poll_until_empty(7))

    handed = Counter(run_id for ids in answers for run_id in ids)  # type: ignore[attr-defined]
    assert max(handed.values()) == 1
    assert len(handed) == 300


def test_a_pool_limit_holds_across_concurrent_pollers():
    seed(50, concurrency_limit=5)

    answers = in_threads(10, lambda _: poll_until_empty(200))

    assert sum(len(ids) for ids in answers) == 5  # type: ignore[arg-type]
