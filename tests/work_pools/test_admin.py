"""The work-pool admin: pools with their queues and workers, pause/resume through the
services (statuses move as with the API's PATCH)."""

from __future__ import annotations

import pytest

from flowruns.models import WorkPool, WorkQueue
from tests.factories import WorkerFactory

from .helpers import pool

pytestmark = pytest.mark.django_db


def test_pool_page_shows_status_queues_and_workers(api, admin_client):
    created = pool(api, "p1")
    WorkerFactory(work_pool=WorkPool.objects.get(), name="w-proc", status="ONLINE")
    response = admin_client.get(f"/admin/flowruns/workpool/{created['id']}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not Ready" in page
    assert "w-proc" in page
    assert "default" in page
    listing = admin_client.get("/admin/flowruns/workpool/").content.decode()
    assert "p1" in listing


def test_pause_and_resume_actions_move_the_status(api, admin_client):
    created = pool(api, "p1")
    WorkerFactory(work_pool=WorkPool.objects.get(), status="ONLINE")
    body = {"action": "pause_selected", "_selected_action": [created["id"]]}
    assert admin_client.post("/admin/flowruns/workpool/", body).status_code == 302
    assert WorkPool.objects.get().status == "PAUSED"
    body["action"] = "resume_selected"
    admin_client.post("/admin/flowruns/workpool/", body)
    assert (WorkPool.objects.get().is_paused, WorkPool.objects.get().status) == (False, "READY")


def test_queue_pause_action(api, admin_client):
    created = pool(api, "p1")
    body = {"action": "pause_selected", "_selected_action": [created["default_queue_id"]]}
    admin_client.post("/admin/flowruns/workqueue/", body)
    assert WorkQueue.objects.get().status == "PAUSED"


def test_worker_and_claim_lists_render(admin_client):
    WorkerFactory(name="w-x")
    assert "w-x" in admin_client.get("/admin/flowruns/worker/").content.decode()
    assert admin_client.get("/admin/work_pools/flowrunclaim/").status_code == 200
