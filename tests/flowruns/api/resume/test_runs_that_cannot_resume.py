"""`POST /api/flow_runs/{id}/resume` of runs that are not paused, have no state or do not
exist (api.md §6.9)."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import FlowFactory, FlowRunFactory
from tests.flowruns.api.set_state.helpers import create_run

from .helpers import read, resume

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state_type", ["RUNNING", "SCHEDULED", "COMPLETED"])
def test_resuming_a_run_that_is_not_paused_is_aborted_without_state(api, state_type):
    run_id = create_run(api, state={"type": state_type})
    response = resume(api, run_id)
    assert response.status_code == 200
    assert response.json() == {
        "state": None,
        "status": "ABORT",
        "details": {
            "type": "abort_details",
            "reason": "Cannot resume a flow run that is not paused.",
        },
    }
    assert read(api, run_id)["state_type"] == state_type


def test_resuming_a_run_without_any_state_is_aborted(api):
    run_id = FlowRunFactory(flow=FlowFactory()).id
    response = resume(api, run_id)
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["state"] is None


def test_resuming_an_unknown_run_is_a_404(api):
    response = resume(api, uuid.uuid4())
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}
