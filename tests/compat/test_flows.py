"""Scenario (a): real flows run in-process by the prefect client end as Prefect says, and the
server holds the same runs, states, retries and subflow links."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from .rest import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.compat]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def history(rest, run_id: str) -> list[tuple[str, str]]:
    return [(s["type"], s["name"]) for s in rest.states(run_id)]


def test_flow_with_two_tasks_completes_with_its_result(flows, rest):
    run = flows["two_tasks"]
    assert (run["type"], run["result"]) == ("COMPLETED", 4)

    server = rest.flow_run(run["flow_run_id"])
    assert (server["state_type"], server["run_count"]) == ("COMPLETED", 1)
    assert server["start_time"] and server["end_time"]
    assert rest.get(f"/flows/{server['flow_id']}")["name"] == "compat-two-tasks"
    assert history(rest, run["flow_run_id"]) == [
        ("PENDING", "Pending"),
        ("RUNNING", "Running"),
        ("COMPLETED", "Completed"),
    ]


@pytest.mark.parametrize(
    ("key", "result", "delay"),
    [("flaky", "recovered", 0), ("flaky_delay", "recovered late", 2)],
)
def test_flow_that_fails_once_completes_on_its_retry(flows, rest, key, result, delay):
    run = flows[key]
    assert (run["type"], run["result"]) == ("COMPLETED", result)
    assert flows["attempts"][key.replace("_", "-")] == 2

    server = rest.flow_run(run["flow_run_id"])
    assert (server["state_type"], server["run_count"]) == ("COMPLETED", 2)
    assert server["empirical_policy"]["retries"] == 1
    assert server["empirical_policy"]["retry_delay"] == delay
    states = rest.states(run["flow_run_id"])
    assert [(s["type"], s["name"]) for s in states] == [
        ("PENDING", "Pending"),
        ("RUNNING", "Running"),
        ("SCHEDULED", "AwaitingRetry"),
        ("RUNNING", "Running"),
        ("COMPLETED", "Completed"),
    ]
    awaiting, rerun = states[2], states[3]
    scheduled = when(awaiting["state_details"]["scheduled_time"])
    assert scheduled - when(awaiting["timestamp"]) == pytest.approx(
        timedelta(seconds=delay), abs=timedelta(milliseconds=50)
    )
    # The client waited (WAIT reply with delay_seconds) before running again.
    assert when(rerun["timestamp"]) >= scheduled - timedelta(milliseconds=250)


def test_flow_that_keeps_failing_ends_failed_after_its_retry(flows, rest):
    run = flows["doomed"]
    assert run["type"] == "FAILED"
    assert run["result"] == {"error": "ValueError", "message": "attempt 2 fails too"}
    assert flows["attempts"]["doomed"] == 2

    server = rest.flow_run(run["flow_run_id"])
    assert (server["state_type"], server["run_count"]) == ("FAILED", 2)
    assert [name for _, name in history(rest, run["flow_run_id"])] == [
        "Pending",
        "Running",
        "AwaitingRetry",
        "Running",
        "Failed",
    ]


def test_subflow_is_linked_to_its_parent_through_a_placeholder_task_run(flows, rest):
    parent = flows["parent"]
    assert (parent["type"], parent["result"]) == ("COMPLETED", 13)

    children = rest.post("/flow_runs/filter", {"flows": {"name": {"any_": ["compat-child"]}}})
    assert len(children) == 1
    child = children[0]
    assert child["state_type"] == "COMPLETED"
    assert child["parent_task_run_id"] is not None

    task_run = rest.get(f"/task_runs/{child['parent_task_run_id']}")
    assert task_run["flow_run_id"] == parent["flow_run_id"]
    by_parent = rest.post(
        "/flow_runs/filter",
        {"flow_runs": {"parent_flow_run_id": {"any_": [parent["flow_run_id"]]}}},
    )
    assert [run["id"] for run in by_parent] == [child["id"]]


def test_tasks_of_an_in_process_flow_are_recorded_from_the_clients_events(flows, rest):
    """The client reports its task runs only as events on /api/events/in (spec/events.md §3.5,
    §6): the server holds each one with the three states the client went through."""
    run_id = flows["two_tasks"]["flow_run_id"]
    task_runs = eventually(
        lambda: rest.task_runs(run_id),
        lambda runs: len(runs) == 2 and {r["state_type"] for r in runs} == {"COMPLETED"},
    )
    assert sorted(r["name"].rsplit("-", 1)[0] for r in task_runs) == ["add", "double"]
    for task_run in task_runs:
        assert task_run["flow_run_id"] == run_id
        assert (task_run["state_name"], task_run["run_count"]) == ("Completed", 1)
        assert task_run["start_time"] and task_run["end_time"]
        states = rest.task_run_states(task_run["id"])
        assert [(s["type"], s["name"]) for s in states] == [
            ("PENDING", "Pending"),
            ("RUNNING", "Running"),
            ("COMPLETED", "Completed"),
        ]
        assert task_run["state"]["id"] == states[-1]["id"]


def test_subflow_placeholder_task_run_follows_its_child_flow_run(flows, rest):
    """The parent's only task run is the placeholder the client creates over REST (PENDING);
    the server then mirrors each state of the child run onto it (orchestration.md G11)."""
    parent_id = flows["parent"]["flow_run_id"]
    placeholders = rest.task_runs(parent_id)
    assert len(placeholders) == 1
    placeholder = placeholders[0]
    assert placeholder["name"] == "compat-child-0"
    (child,) = rest.post(
        "/flow_runs/filter", {"flow_runs": {"parent_task_run_id": {"any_": [placeholder["id"]]}}}
    )
    assert placeholder["state_type"] == child["state_type"] == "COMPLETED"
    states = rest.task_run_states(placeholder["id"])
    assert [s["name"] for s in states] == ["Pending", "Pending", "Running", "Completed"]
    assert [s["state_details"]["child_flow_run_id"] for s in states] == [None] + [child["id"]] * 3


def test_task_with_tags_runs_under_an_empty_concurrency_lease(flows, rest):
    run = flows["tagged"]
    assert (run["type"], run["result"]) == ("COMPLETED", "tagged done")
    assert rest.flow_run(run["flow_run_id"])["state_type"] == "COMPLETED"


def test_flow_run_name_template_names_the_run(flows, rest, nonce):
    run = flows["named"]
    assert (run["type"], run["result"]) == ("COMPLETED", 42)
    server = rest.flow_run(run["flow_run_id"])
    assert server["name"] == f"compat-run-7-{nonce}"
    assert server["parameters"] == {"x": 7, "nonce": nonce}


def test_async_flow_with_an_async_task_completes(flows, rest):
    run = flows["async"]
    assert (run["type"], run["result"]) == ("COMPLETED", 42)
    assert rest.flow_run(run["flow_run_id"])["state_type"] == "COMPLETED"


def test_logs_written_in_a_flow_reach_the_server(flows, rest):
    run = flows["many_logs"]
    assert (run["type"], run["result"]) == ("COMPLETED", 250)

    logs = rest.logs(run["flow_run_id"])
    lines = [log["message"] for log in logs if log["message"].startswith("compat log line")]
    assert lines == [f"compat log line {i:03d}" for i in range(250)]
    assert {log["level"] for log in logs} == {20}
    assert any(log["message"].startswith("Beginning flow run") for log in logs)
    assert logs[-1]["message"].startswith("Finished in state Completed")


def test_client_warns_about_nothing(flows_run):
    """Defaults on (version check, CSRF, logging to the API, the events websocket)."""
    unexpected = [
        line
        for line in flows_run.warnings()
        if "Encountered exception during execution" not in line  # the flows that fail
    ]
    assert unexpected == []
    everything = flows_run.stdout + flows_run.stderr
    for complaint in (
        "Unable to connect to 'ws://",
        "Service 'EventsWorker' failed",
        "older version",
        "Error logging to API",
        "Failed to reach API",
        "CSRF",
    ):
        assert complaint not in everything
