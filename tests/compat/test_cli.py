"""Scenario (d): the real CLI, `prefect --no-prompt flow-run ...`, against the live server."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def table_rows(output: str) -> list[list[str]]:
    """The body rows of a rich table, as lists of cell texts."""
    rows = []
    for line in output.splitlines():
        if line.startswith("│") and UUID_RE.search(line):
            rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def run_in_state(rest, name: str, *states: str) -> dict:
    run = rest.create_run("compat-cli", name=name)
    for state in states:
        assert rest.set_state(run["id"], state)["status"] == "ACCEPT"
    return run


def test_ls_lists_the_most_recent_runs(prefect, rest, nonce):
    fresh = [run_in_state(rest, f"cli-ls-{nonce}-{i}") for i in range(3)]

    done = prefect.prefect("flow-run", "ls")
    assert done.returncode == 0, done.describe()
    rows = table_rows(done.stdout)
    assert 3 <= len(rows) <= 15  # the CLI's default limit
    by_id = {row[0]: row for row in rows}
    for run in fresh:
        assert by_id[run["id"]][1:4] == ["compat-cli", run["name"], "PENDING"]
    assert [row[0] for row in rows[:3]] == [run["id"] for run in reversed(fresh)]  # newest first


def test_ls_filters_by_state_and_limit(prefect, rest, flows):
    done = prefect.prefect("flow-run", "ls", "--state", "COMPLETED", "--limit", "3")
    assert done.returncode == 0, done.describe()
    rows = table_rows(done.stdout)
    expected = rest.post(
        "/flow_runs/filter",
        {
            "flow_runs": {"state": {"name": {"any_": ["Completed"]}}},
            "sort": "EXPECTED_START_TIME_DESC",
            "limit": 3,
        },
    )
    assert [row[0] for row in rows] == [run["id"] for run in expected]
    assert [row[3] for row in rows] == ["COMPLETED"] * 3


def test_inspect_shows_the_run(prefect, flows):
    run_id = flows["two_tasks"]["flow_run_id"]
    done = prefect.prefect("flow-run", "inspect", run_id)
    assert done.returncode == 0, done.describe()
    assert "FlowRun(" in done.stdout
    assert f"id='{run_id}'" in done.stdout
    assert "state_type=StateType.COMPLETED" in done.stdout

    as_json = prefect.prefect("flow-run", "inspect", run_id, "--output", "json")
    assert as_json.returncode == 0, as_json.describe()
    shown = json.loads(as_json.stdout)
    assert (shown["id"], shown["state"]["type"], shown["run_count"]) == (run_id, "COMPLETED", 1)


def test_inspect_of_an_unknown_run_fails(prefect):
    # prefect 3.8.8's `inspect` catches httpx errors, but the client raises ObjectNotFound for
    # the server's 404: it prints "An exception occurred." and exits 1 rather than "not found".
    done = prefect.prefect("flow-run", "inspect", "00000000-0000-4000-8000-000000000000")
    assert done.returncode == 1
    assert "FlowRun(" not in done.stdout
    assert "404" in done.stderr


def test_logs_pages_through_more_than_one_page_and_ends(prefect, rest, flows):
    run_id = flows["many_logs"]["flow_run_id"]
    expected = [log["message"] for log in rest.logs(run_id)]
    assert len(expected) > 250  # more than the 200 of one page

    done = prefect.prefect("flow-run", "logs", run_id, timeout=60)  # a loop would time out
    assert done.returncode == 0, done.describe()
    printed = [line.split(" - ", 1)[1] for line in done.stdout.splitlines() if " - " in line]
    assert printed == expected
    assert [m for m in printed if m.startswith("compat log line")] == [
        f"compat log line {i:03d}" for i in range(250)
    ]


def test_logs_head_prints_the_first_few(prefect, flows):
    run_id = flows["many_logs"]["flow_run_id"]
    done = prefect.prefect("flow-run", "logs", run_id, "--head", "--num-logs", "5")
    assert done.returncode == 0, done.describe()
    lines = [line for line in done.stdout.splitlines() if " - " in line]
    assert len(lines) == 5
    assert lines[1].endswith("compat log line 000")


def test_cancel_of_a_running_run_schedules_cancellation(prefect, rest, nonce):
    run = run_in_state(rest, f"cli-cancel-running-{nonce}", "RUNNING")
    done = prefect.prefect("flow-run", "cancel", run["id"])
    assert done.returncode == 0, done.describe()
    assert "successfully scheduled for cancellation" in done.stdout
    assert rest.flow_run(run["id"])["state_type"] == "CANCELLING"


def test_cancel_of_a_scheduled_run_cancels_it_at_once(prefect, rest, nonce):
    run = rest.create_run(
        "compat-cli", name=f"cli-cancel-scheduled-{nonce}", state={"type": "SCHEDULED"}
    )
    done = prefect.prefect("flow-run", "cancel", run["id"])
    assert done.returncode == 0, done.describe()
    assert "successfully scheduled for cancellation" in done.stdout
    assert rest.flow_run(run["id"])["state_type"] == "CANCELLED"  # no infrastructure to stop


def test_cancel_of_a_finished_run_fails_with_the_reason(prefect, rest, flows):
    run_id = flows["two_tasks"]["flow_run_id"]
    done = prefect.prefect("flow-run", "cancel", run_id)
    assert done.returncode == 1
    assert "unable to be cancelled" in done.stdout
    assert "Run is already in terminal state COMPLETED." in done.stdout
    assert rest.flow_run(run_id)["state_type"] == "COMPLETED"


def test_delete_removes_the_run(prefect, rest, nonce):
    run = run_in_state(rest, f"cli-delete-{nonce}", "RUNNING", "COMPLETED")
    done = prefect.prefect("flow-run", "delete", run["id"])
    assert done.returncode == 0, done.describe()
    assert f"Successfully deleted flow run '{run['id']}'" in done.stdout
    assert rest.call("GET", f"/flow_runs/{run['id']}").status == 404

    again = prefect.prefect("flow-run", "delete", run["id"])
    assert again.returncode == 1
    assert "not found" in again.stdout
