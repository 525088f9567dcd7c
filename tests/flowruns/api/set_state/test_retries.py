"""`POST /api/flow_runs/{id}/set_state`: automatic retries (AwaitingRetry, retry delays,
run counts)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.flowruns.api.set_state.helpers import (
    create_run,
    history,
    now,
    parse,
    propose,
    read,
    set_state,
)

pytestmark = pytest.mark.django_db


# --- automatic retries -------------------------------------------------------------------------


def test_failed_run_with_retries_left_is_retried_until_retries_are_used_up(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 2, "retry_delay": 0}
    )
    assert read(api, run_id)["run_count"] == 1

    for attempt in (1, 2):
        before = now()
        response = propose(api, run_id, "FAILED", message="boom", data={"attempt": attempt})
        after = now()
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "REJECT"
        assert body["details"] == {"type": "reject_details", "reason": "Retrying"}
        state = body["state"]
        assert (state["type"], state["name"]) == ("SCHEDULED", "AwaitingRetry")
        assert state["message"] == "boom"
        assert state["data"] == {"attempt": attempt}
        scheduled = parse(state["state_details"]["scheduled_time"])
        assert before - timedelta(seconds=1) <= scheduled <= after + timedelta(seconds=1)
        run = read(api, run_id)
        assert (run["state_type"], run["state_name"]) == ("SCHEDULED", "AwaitingRetry")
        assert run["empirical_policy"]["retry_type"] == "in_process"
        assert run["end_time"] is None

        running = propose(api, run_id, "RUNNING")
        assert running.json()["status"] == "ACCEPT"
        assert read(api, run_id)["run_count"] == attempt + 1

    final = propose(api, run_id, "FAILED", message="boom")
    assert final.status_code == 201
    assert final.json()["status"] == "ACCEPT"
    assert final.json()["details"] == {"type": "accept_details"}
    run = read(api, run_id)
    assert (run["state_type"], run["run_count"]) == ("FAILED", 3)
    assert run["empirical_policy"]["retry_type"] is None
    assert run["end_time"] == final.json()["state"]["timestamp"]
    assert [(s["type"], s["name"]) for s in history(api, run_id)] == [
        ("RUNNING", "Running"),
        ("SCHEDULED", "AwaitingRetry"),
        ("RUNNING", "Running"),
        ("SCHEDULED", "AwaitingRetry"),
        ("RUNNING", "Running"),
        ("FAILED", "Failed"),
    ]


def test_retry_delay_schedules_the_retry_later_and_makes_running_wait(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 1, "retry_delay": 5}
    )
    before = now()
    response = propose(api, run_id, "FAILED")
    after = now()
    assert response.status_code == 201
    state = response.json()["state"]
    assert state["name"] == "AwaitingRetry"
    scheduled = parse(state["state_details"]["scheduled_time"])
    assert before + timedelta(seconds=5) <= scheduled <= after + timedelta(seconds=5)
    assert (
        read(api, run_id)["next_scheduled_start_time"] == state["state_details"]["scheduled_time"]
    )

    wait = propose(api, run_id, "RUNNING")
    assert wait.status_code == 200
    assert wait.json()["status"] == "WAIT"
    assert wait.json()["details"]["reason"] == "Scheduled time is in the future"
    assert wait.json()["details"]["delay_seconds"] in (4, 5)
    assert wait.json()["state"]["id"] == state["id"]
    assert read(api, run_id)["run_count"] == 1


def test_crashed_runs_are_never_retried(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 3, "retry_delay": 0}
    )
    response = propose(api, run_id, "CRASHED")
    assert response.status_code == 201
    assert response.json()["status"] == "ACCEPT"
    assert read(api, run_id)["state_type"] == "CRASHED"


def test_forced_failure_is_not_retried(api):
    run_id = create_run(
        api, state={"type": "RUNNING"}, empirical_policy={"retries": 3, "retry_delay": 0}
    )
    response = set_state(api, run_id, {"type": "FAILED"}, force=True)
    assert response.json()["status"] == "ACCEPT"
    assert read(api, run_id)["state_type"] == "FAILED"
