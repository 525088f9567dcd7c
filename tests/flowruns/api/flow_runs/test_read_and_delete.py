"""`GET` and `DELETE /api/flow_runs/{id}`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.models import FlowRun, FlowRunState

from .helpers import RESPONSE_KEYS, create

pytestmark = pytest.mark.django_db


def test_read_flow_run(api):
    created = create(api).json()
    response = api.get(f"/api/flow_runs/{created['id']}")
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]
    assert list(response.json()) == RESPONSE_KEYS


def test_read_unknown_flow_run_is_404(api):
    response = api.get(f"/api/flow_runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}


def test_running_run_estimates_its_run_time_live(api):
    created = create(api, state={"type": "RUNNING"}).json()
    FlowRun.objects.filter(pk=created["id"]).update(
        state_timestamp=datetime.now(UTC) - timedelta(seconds=30)
    )
    body = api.get(f"/api/flow_runs/{created['id']}").json()
    assert 29 < body["estimated_run_time"] < 60


def test_delete_run_removes_it_and_its_states(api):
    created = create(api).json()
    response = api.delete(f"/api/flow_runs/{created['id']}")
    assert response.status_code == 204
    assert not FlowRun.objects.filter(pk=created["id"]).exists()
    assert not FlowRunState.objects.filter(flow_run_id=created["id"]).exists()


def test_delete_unknown_run_is_404(api):
    response = api.delete(f"/api/flow_runs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}
