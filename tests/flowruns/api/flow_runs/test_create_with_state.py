"""`POST /api/flow_runs/` with an initial state: the run's times and state data follow it."""

from __future__ import annotations

import pytest

from .helpers import create

pytestmark = pytest.mark.django_db


def test_create_with_running_state_starts_the_run(api):
    body = create(api, state={"type": "RUNNING"}).json()
    assert body["state_type"] == "RUNNING"
    assert body["run_count"] == 1
    assert body["start_time"] == body["state"]["timestamp"]


def test_create_with_completed_state_sets_start_end_and_expected_times(api):
    body = create(api, state={"type": "COMPLETED"}).json()
    stamp = body["state"]["timestamp"]
    assert body["start_time"] == body["end_time"] == body["expected_start_time"] == stamp


def test_create_with_scheduled_state_sets_expected_and_next_scheduled_times(api):
    when = "2031-07-01T00:00:00Z"
    body = create(api, state={"type": "SCHEDULED", "state_details": {"scheduled_time": when}})
    body = body.json()
    assert body["expected_start_time"] == when
    assert body["next_scheduled_start_time"] == when
    assert body["state"]["state_details"]["scheduled_time"] == when


def test_create_with_state_data_stores_it(api):
    body = create(api, state={"type": "COMPLETED", "data": {"type": "reference", "k": 1}}).json()
    assert body["state"]["data"] == {"type": "reference", "k": 1}
    assert api.get(f"/api/flow_runs/{body['id']}").json()["state"]["data"]["k"] == 1
