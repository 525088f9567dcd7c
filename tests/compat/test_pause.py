"""Scenario (b): a flow paused for typed input is resumed from another process, and a pause
nobody answers times out as Prefect says."""

from __future__ import annotations

import json
import time

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

PAUSE_WAIT = 90


def wait_until_waiting_for_input(rest, name: str, waiting) -> tuple[dict, list[dict]]:
    """The run once PAUSED *and* its input schema is stored: the client saves the schema
    only after the server accepted the pause, and a resume before that finds no schema."""
    deadline = time.monotonic() + PAUSE_WAIT
    while time.monotonic() < deadline:
        runs = rest.post("/flow_runs/filter", {"flow_runs": {"name": {"any_": [name]}}})
        if runs and runs[0]["state_type"] == "PAUSED":
            run = runs[0]
            schema_key = run["state"]["state_details"]["run_input_keyset"]["schema"]
            inputs = rest.post(f"/flow_runs/{run['id']}/input/filter", {"prefix": ""})
            if schema_key in {row["key"] for row in inputs}:
                return run, inputs
        if waiting.process.poll() is not None:
            pytest.fail(f"the paused flow exited early:\n{waiting.wait(5).describe()}")
        time.sleep(0.3)
    pytest.fail(f"no run named {name} waiting for input within {PAUSE_WAIT}s")


@pytest.fixture(scope="module")
def paused_and_resumed(prefect, rest, nonce, tmp_path_factory):
    """The paused flow, the run as it waited, the resume attempts, and the flow's outcome."""
    waiting = prefect.start_scenario("pause.py", nonce, log_dir=tmp_path_factory.mktemp("pause"))
    try:
        paused, inputs_while_paused = wait_until_waiting_for_input(
            rest, f"compat-pause-{nonce}", waiting
        )
        resumed = prefect.scenario("resume.py", paused["id"])
        finished = waiting.wait(timeout=PAUSE_WAIT)
    finally:
        waiting.stop()
    assert finished.returncode == 0, finished.describe()
    return {
        "paused": paused,
        "inputs_while_paused": inputs_while_paused,
        "resume": resumed.result,
        "flow": finished.result,
    }


def test_paused_run_records_the_pause_and_the_input_schema(paused_and_resumed):
    paused = paused_and_resumed["paused"]
    details = paused["state"]["state_details"]
    assert paused["state"]["name"] == "Paused"
    assert details["pause_timeout"] is not None
    assert details["pause_reschedule"] is False
    keyset = details["run_input_keyset"]
    assert set(keyset) >= {"description", "response", "schema"}

    stored = {row["key"]: row for row in paused_and_resumed["inputs_while_paused"]}
    schema = json.loads(stored[keyset["schema"]]["value"])
    assert schema["properties"].keys() >= {"approver", "amount"}
    assert set(schema["required"]) >= {"approver", "amount"}


def test_resume_with_invalid_input_is_rejected_with_the_reason(paused_and_resumed):
    resume = paused_and_resumed["resume"]
    assert resume["wrong_type"]["type"] == "RuntimeError"
    assert resume["wrong_type"]["message"].startswith("Cannot resume this run: ")
    assert "'a lot' is not of type 'integer'" in resume["wrong_type"]["message"]
    assert resume["missing_field"]["type"] == "RuntimeError"
    assert "'amount' is a required property" in resume["missing_field"]["message"]


def test_resume_with_valid_input_hands_the_input_to_the_flow(paused_and_resumed, rest):
    resume = paused_and_resumed["resume"]
    assert resume["valid"] is None
    assert resume["again"]["type"] == "NotPausedError"  # no longer paused

    flow = paused_and_resumed["flow"]
    assert flow["type"] == "COMPLETED"
    assert flow["result"] == {"approver": "ann", "amount": 3}

    run_id = paused_and_resumed["paused"]["id"]
    assert rest.flow_run(run_id)["state_type"] == "COMPLETED"
    # Rejected attempts wrote no state: one pause, one resume.
    assert [s["type"] for s in rest.states(run_id)] == [
        "PENDING",
        "RUNNING",
        "PAUSED",
        "RUNNING",
        "COMPLETED",
    ]
    keyset = paused_and_resumed["paused"]["state"]["state_details"]["run_input_keyset"]
    reply = rest.call("GET", f"/flow_runs/{run_id}/input/{keyset['response']}")
    assert reply.status == 200
    assert json.loads(reply.text) == {"approver": "ann", "amount": 3}


def test_pause_that_times_out_fails_the_run(flows, rest):
    run = flows["pause_timeout"]
    assert run["type"] == "FAILED"
    assert "never resumed" in run["result"]["message"]

    server = rest.flow_run(run["flow_run_id"])
    assert server["state_type"] == "FAILED"
    # The live server runs the background services, so the pause-expirations sweep (every 5 s)
    # and the client (after its 2 s timeout) race to fail the run; every outcome is a failure
    # that says why: the sweep's message, R12's answer to the client's FAILED, or the client's
    # own exception once the sweep has failed the run first.
    assert server["state"]["message"] in {
        "The flow was failed and never resumed.",
        "The flow was paused and never resumed.",
        "Flow run encountered an exception: FlowPauseTimeout: "
        "Flow run was paused and never resumed.",
    }
    types = [s["type"] for s in rest.states(run["flow_run_id"])]
    assert types[:4] == ["PENDING", "RUNNING", "PAUSED", "FAILED"]
    assert set(types[4:]) <= {"FAILED"}
