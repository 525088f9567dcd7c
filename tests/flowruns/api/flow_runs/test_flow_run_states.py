"""`GET /api/flow_run_states/`: a run's state history, and one state by id."""

from __future__ import annotations

import uuid

import pytest

from .helpers import create

pytestmark = pytest.mark.django_db


def test_flow_run_states_lists_history_oldest_first(api):
    created = create(api).json()
    response = api.get(f"/api/flow_run_states/?flow_run_id={created['id']}")
    assert response.status_code == 200
    states = response.json()
    assert [s["id"] for s in states] == [created["state_id"]]
    one = api.get(f"/api/flow_run_states/{created['state_id']}")
    assert one.json()["type"] == "PENDING"


def test_flow_run_states_needs_flow_run_id(api):
    response = api.get("/api/flow_run_states/")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["query", "flow_run_id"]


def test_unknown_flow_run_state_is_404(api):
    response = api.get(f"/api/flow_run_states/{uuid.uuid4()}")
    assert response.json() == {"detail": "Flow run state not found"}
