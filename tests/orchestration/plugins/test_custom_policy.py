import pytest

from orchestration.loading import PolicyLoadError, load_policy
from tests.factories import FlowFactory

pytestmark = pytest.mark.django_db

POLICY = "tests.orchestration.plugins.frozen_policy.FrozenAwarePolicy"


def create_run(api, tags):
    body = {"flow_id": str(FlowFactory().id), "tags": tags}
    return api.post("/api/flow_runs/", body, format="json").json()["id"]


def propose(api, run_id, state_type, force=False):
    body = {"state": {"type": state_type}, "force": force}
    return api.post(f"/api/flow_runs/{run_id}/set_state", body, format="json")


def test_switching_the_policy_setting_applies_the_custom_rule(api, settings):
    settings.ORCHESTRATION_FLOW_POLICY = POLICY
    run_id = create_run(api, ["frozen"])
    response = propose(api, run_id, "RUNNING")
    assert response.status_code == 200
    assert response.json()["status"] == "ABORT"
    assert response.json()["details"]["reason"] == "This run is frozen and may not start."
    assert api.get(f"/api/flow_runs/{run_id}").json()["state_type"] == "PENDING"


def test_the_custom_policy_keeps_every_core_rule(api, settings):
    settings.ORCHESTRATION_FLOW_POLICY = POLICY
    run_id = create_run(api, ["thawed"])
    assert propose(api, run_id, "RUNNING").json()["status"] == "ACCEPT"
    pending = propose(api, run_id, "PENDING").json()
    assert pending["status"] == "ABORT"  # PreventPendingTransitions still applies


def test_the_default_policy_lets_frozen_runs_start(api):
    run_id = create_run(api, ["frozen"])
    assert propose(api, run_id, "RUNNING").json()["status"] == "ACCEPT"


def test_force_uses_the_minimal_policy_and_bypasses_the_custom_rule(api, settings):
    settings.ORCHESTRATION_FLOW_POLICY = POLICY
    run_id = create_run(api, ["frozen"])
    assert propose(api, run_id, "RUNNING", force=True).json()["status"] == "ACCEPT"


def test_a_bad_policy_path_fails_loudly():
    with pytest.raises(PolicyLoadError):
        load_policy("tests.orchestration.plugins.frozen_policy.NoSuchPolicy")
