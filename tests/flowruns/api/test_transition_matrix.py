"""The verified CoreFlowPolicy matrix of orchestration.md §5.1, over HTTP.

Runs have no deployment, no infrastructure pid, no data and no transition ids; each cell is
(HTTP status, orchestration status, resulting current state type).
"""

import pytest

from flowruns.models import FlowRunState
from tests.factories import FlowFactory, FlowRunFactory

pytestmark = pytest.mark.django_db

TYPES = [
    "SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "CRASHED", "PAUSED",
    "CANCELLING",
]  # fmt: skip

A = ("ACCEPT",)
AB = ("ABORT",)
RN = ("REJECT",)

# row = current state (None: the run has no state), columns in TYPES order
MATRIX = {
    None: [A, A, A, A, A, A, A, AB, A],
    "SCHEDULED": [A, A, A, A, A, A, A, RN, ("REJECT", "CANCELLED")],
    "PENDING": [A, AB, A, A, A, A, A, RN, A],
    "RUNNING": [A, AB, A, A, A, A, A, A, A],
    "COMPLETED": [AB, A, A, A, A, A, AB, AB, AB],
    "FAILED": [AB, A, A, A, A, A, AB, AB, AB],
    "CANCELLED": [AB, AB, A, A, A, A, AB, AB, AB],
    "CRASHED": [AB, A, A, A, A, A, AB, AB, AB],
    "PAUSED": [A, RN, A, A, A, A, A, RN, RN],
    "CANCELLING": [RN, RN, RN, RN, RN, A, RN, RN, RN],
}

CASES = [
    pytest.param(current, proposed, MATRIX[current][i], id=f"{current}->{proposed}")
    for current in MATRIX
    for i, proposed in enumerate(TYPES)
]


def make_run(api, current):
    if current is None:
        return str(FlowRunFactory(flow=FlowFactory()).id)
    body = {"flow_id": str(FlowFactory().id), "state": {"type": current}}
    response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201
    return response.json()["id"]


@pytest.mark.parametrize(("current", "proposed", "expected"), CASES)
def test_core_policy_transition_matrix(api, current, proposed, expected):
    run_id = make_run(api, current)
    before_rows = FlowRunState.objects.filter(flow_run_id=run_id).count()
    before_count = api.get(f"/api/flow_runs/{run_id}").json()["run_count"]

    response = api.post(
        f"/api/flow_runs/{run_id}/set_state", {"state": {"type": proposed}}, format="json"
    )

    body = response.json()
    status = expected[0]
    assert body["status"] == status, body["details"]
    after = api.get(f"/api/flow_runs/{run_id}").json()
    written = FlowRunState.objects.filter(flow_run_id=run_id).count() - before_rows
    if status == "ACCEPT":
        assert response.status_code == 201
        assert written == 1
        assert body["details"] == {"type": "accept_details"}
        assert after["state_type"] == proposed
        assert body["state"]["id"] == after["state_id"]
        assert after["run_count"] == before_count + (1 if proposed == "RUNNING" else 0)
    elif len(expected) == 2:  # rejected with a replacement state written
        assert response.status_code == 201
        assert written == 1
        assert after["state_type"] == expected[1]
        assert body["state"]["type"] == expected[1]
    else:
        assert response.status_code == 200
        assert written == 0
        assert after["state_type"] == current
        assert body["details"]["reason"]
        if current is None:
            assert body["state"] is None
        else:
            assert body["state"]["id"] == after["state_id"]
