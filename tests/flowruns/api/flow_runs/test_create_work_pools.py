"""`POST /api/flow_runs/` with a work pool or work queue name."""

from __future__ import annotations

import pytest

from flowruns.models import FlowRun
from tests.factories import WorkPoolFactory, WorkQueueFactory

from .helpers import create

pytestmark = pytest.mark.django_db


def test_work_pool_name_resolves_the_default_queue(api):
    pool = WorkPoolFactory(name="pool")
    queue = WorkQueueFactory(work_pool=pool, name="default")
    body = create(api, work_pool_name="pool").json()
    assert body["work_queue_id"] == str(queue.id)
    assert body["work_queue_name"] == "default"
    assert body["work_pool_id"] == str(pool.id)
    assert body["work_pool_name"] == "pool"
    assert FlowRun.objects.get(pk=body["id"]).work_queue_name is None


def test_unknown_work_pool_is_a_404(api):
    response = create(api, work_pool_name="nope")
    assert response.status_code == 404
    assert response.json() == {"detail": 'Work pool "nope" not found.'}


def test_unknown_work_queue_in_a_pool_is_a_404(api):
    WorkPoolFactory(name="pool")
    response = create(api, work_pool_name="pool", work_queue_name="q")
    assert response.status_code == 404
    assert response.json() == {"detail": "Work pool queue 'pool/q' not found."}


def test_work_queue_name_without_pool_is_just_stored(api):
    body = create(api, work_queue_name="loose").json()
    assert body["work_queue_name"] == "loose"
    assert body["work_queue_id"] is None
