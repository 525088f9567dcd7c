"""`POST /api/flow_runs/{id}/set_state`: the run fields a client sees change afterwards
(start/end time, run count, total run time)."""

from __future__ import annotations

import time

import pytest

from tests.flowruns.api.set_state.helpers import create_run, iso, parse, propose, read

pytestmark = pytest.mark.django_db


# --- bookkeeping -------------------------------------------------------------------------------


def test_running_again_increments_run_count_and_keeps_the_first_start_time(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    first = read(api, run_id)
    assert first["run_count"] == 1
    for expected in (2, 3):
        response = propose(api, run_id, "RUNNING")
        assert response.status_code == 201
        assert read(api, run_id)["run_count"] == expected
    assert read(api, run_id)["start_time"] == first["start_time"]


def test_total_run_time_adds_up_the_running_periods_only(api):
    run_id = create_run(api, state={"type": "RUNNING"})
    started = parse(read(api, run_id)["state"]["timestamp"])
    time.sleep(0.05)
    paused = parse(propose(api, run_id, "PAUSED").json()["state"]["timestamp"])
    time.sleep(0.2)
    resumed = parse(propose(api, run_id, "RUNNING").json()["state"]["timestamp"])
    time.sleep(0.05)
    completed = propose(api, run_id, "COMPLETED").json()["state"]["timestamp"]

    run = read(api, run_id)
    expected = (paused - started) + (parse(completed) - resumed)
    assert run["total_run_time"] == pytest.approx(expected.total_seconds(), abs=1e-3)
    assert run["total_run_time"] < (parse(completed) - started).total_seconds() - 0.15
    assert run["estimated_run_time"] == run["total_run_time"]
    assert run["end_time"] == completed
    assert run["start_time"] == iso(started)


def test_leaving_a_terminal_state_for_a_non_terminal_one_clears_end_time(api):
    run_id = create_run(api, state={"type": "COMPLETED"})
    assert read(api, run_id)["end_time"] is not None

    assert propose(api, run_id, "RUNNING").status_code == 201
    assert read(api, run_id)["end_time"] is None

    failed = propose(api, run_id, "FAILED").json()["state"]
    assert read(api, run_id)["end_time"] == failed["timestamp"]


def test_terminal_to_terminal_keeps_the_first_end_time(api):
    run_id = create_run(api, state={"type": "COMPLETED"})
    end_time = read(api, run_id)["end_time"]
    assert propose(api, run_id, "FAILED").json()["status"] == "ACCEPT"
    run = read(api, run_id)
    assert run["state_type"] == "FAILED"
    assert run["end_time"] == end_time
