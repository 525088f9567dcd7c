"""Scenario (e): a flow with several kinds of task, run by the real client, leaves exactly its
task runs on the server, each with the states the client reported over /api/events/in
(spec/events.md §3.5, §6), and they make the run's graph."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from .rest import Rest, eventually
from .runner import Client, Finished

pytestmark = [pytest.mark.postgres, pytest.mark.compat]

# The histories the 3.8.8 client reports (observed): an immediate retry goes straight to a
# RUNNING state named Retrying; a retry with a delay waits in AwaitingRetry (SCHEDULED) first.
# In the order the flow runs the tasks.
HISTORIES = {
    "retried": ["Pending", "Running", "Retrying", "Completed"],
    "retried_later": ["Pending", "Running", "AwaitingRetry", "Retrying", "Completed"],
    "tagged": ["Pending", "Running", "Completed"],
    "broken": ["Pending", "Running", "Failed"],
    "plain": ["Pending", "Running", "Completed"],
}
TYPES = {
    "Pending": "PENDING",
    "Running": "RUNNING",
    "Retrying": "RUNNING",
    "AwaitingRetry": "SCHEDULED",
    "Completed": "COMPLETED",
    "Failed": "FAILED",
}


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def tasks_run(prefect: Client, nonce: str) -> Finished:
    return prefect.scenario("tasks.py", nonce, timeout=180)


@pytest.fixture(scope="module")
def seen(tasks_run: Finished) -> dict[str, Any]:
    """What the client saw: the flow run, and per task its task run id, state and result."""
    return dict(tasks_run.result)


def _settled(rest: Rest, seen: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The flow run's task runs by task name, once every one has reached its final state."""
    final = {task["task_run_id"]: task["type"] for task in seen["tasks"].values()}

    def done(runs: list[dict[str, Any]]) -> bool:
        return {run["id"]: run["state_type"] for run in runs} == final

    runs = eventually(lambda: rest.task_runs(seen["flow_run_id"]), done)
    by_id = {run["id"]: run for run in runs}
    return {key: by_id.get(task["task_run_id"], {}) for key, task in seen["tasks"].items()}


@pytest.fixture(scope="module")
def task_runs(rest: Rest, seen: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _settled(rest, seen)


@pytest.fixture(scope="module")
def histories(rest: Rest, task_runs: dict[str, dict[str, Any]]) -> dict[str, list[dict]]:
    return {key: rest.task_run_states(run["id"]) for key, run in task_runs.items()}


def _client_events(rest: Rest, task_run_id: str) -> list[dict[str, Any]]:
    """The task-run events the client sent for one task run, as stored, oldest first."""
    body = {
        "filter": {
            "resource": {"id": [f"prefect.task-run.{task_run_id}"]},
            "event": {"prefix": ["prefect.task-run."]},
            "order": "ASC",
        },
        "limit": 50,
    }
    return list(rest.post("/events/filter", body)["events"])


def test_the_flow_completes_with_each_tasks_outcome(seen):
    assert seen["type"] == "COMPLETED"
    tasks = seen["tasks"]
    assert {key: (task["type"], task["result"]) for key, task in tasks.items()} == {
        "retried": ("COMPLETED", "recovered"),
        "retried_later": ("COMPLETED", "recovered later"),
        "tagged": ("COMPLETED", 20),
        "broken": ("FAILED", {"error": "RuntimeError", "message": "broken on purpose"}),
        "plain": ("COMPLETED", 21),
    }
    assert seen["attempts"] == {"retried": 2, "retried_later": 2}


def test_exactly_the_flows_task_runs_are_recorded_under_the_clients_ids(rest, seen, task_runs):
    recorded = rest.task_runs(seen["flow_run_id"])
    assert sorted(run["id"] for run in recorded) == sorted(
        task["task_run_id"] for task in seen["tasks"].values()
    )
    for key, run in task_runs.items():
        assert run["flow_run_id"] == seen["flow_run_id"]
        assert run["name"].rsplit("-", 1)[0] == key
        assert (run["state_type"], run["state_name"]) == (
            seen["tasks"][key]["type"],
            seen["tasks"][key]["name"],
        )


@pytest.mark.parametrize("key", sorted(HISTORIES))
def test_each_task_run_has_the_state_history_the_client_reported(rest, task_runs, histories, key):
    states = histories[key]
    assert [(s["type"], s["name"]) for s in states] == [(TYPES[n], n) for n in HISTORIES[key]]
    # One state per event the client sent, with the event's id and time: nothing was lost,
    # nothing made up, and the last one is the run's current state.
    events = _client_events(rest, task_runs[key]["id"])
    assert [e["event"] for e in events] == [f"prefect.task-run.{n}" for n in HISTORIES[key]]
    assert [(s["id"], when(s["timestamp"])) for s in states] == [
        (e["id"], when(e["occurred"])) for e in events
    ]
    run = task_runs[key]
    assert run["state_id"] == run["state"]["id"] == states[-1]["id"]
    for state in states:
        details = state["state_details"]
        assert (details["task_run_id"], details["flow_run_id"]) == (run["id"], run["flow_run_id"])


@pytest.mark.parametrize("key", sorted(HISTORIES))
def test_each_task_run_holds_the_columns_of_the_clients_last_report(rest, task_runs, key):
    run = task_runs[key]
    reported = _client_events(rest, run["id"])[-1]["payload"]["task_run"]
    for column in ("name", "task_key", "dynamic_key", "tags", "task_inputs", "run_count"):
        assert run[column] == reported[column], column
    # The policy as the API shows it: what the client sent, plus the defaults of the rest.
    policy = reported["empirical_policy"]
    assert {key: run["empirical_policy"][key] for key in policy} == policy
    for column in ("expected_start_time", "start_time", "end_time"):
        assert when(run[column]) == when(reported[column]), column
    assert run["total_run_time"] == pytest.approx(reported["total_run_time"])


def test_retried_task_runs_count_both_attempts(task_runs, histories):
    for key in ("retried", "retried_later"):
        run = task_runs[key]
        assert run["run_count"] == 2
        assert run["empirical_policy"]["retries"] == 1
    assert task_runs["retried_later"]["empirical_policy"]["retry_delay"] == 1
    awaiting, retrying = histories["retried_later"][2:4]
    scheduled = when(awaiting["state_details"]["scheduled_time"])
    assert scheduled - when(awaiting["timestamp"]) == pytest.approx(
        timedelta(seconds=1), abs=timedelta(milliseconds=100)
    )
    assert when(retrying["timestamp"]) >= scheduled - timedelta(milliseconds=100)


def test_only_the_tagged_task_run_has_the_tag(task_runs):
    assert {key: run["tags"] for key, run in task_runs.items()} == {
        "retried": [],
        "retried_later": [],
        "tagged": ["db"],
        "broken": [],
        "plain": [],
    }


def test_failed_task_run_keeps_the_clients_error_message(task_runs, histories):
    failed = histories["broken"][-1]
    assert failed["message"] == "Task run encountered an exception RuntimeError: broken on purpose"
    assert task_runs["broken"]["state"]["message"] == failed["message"]
    assert task_runs["broken"]["end_time"] is not None


def test_graph_shows_each_task_run_as_a_node_with_its_state_and_input(rest, seen, task_runs):
    graph = rest.get(f"/flow_runs/{seen['flow_run_id']}/graph-v2")
    nodes = dict(graph["nodes"])
    ids = {key: run["id"] for key, run in task_runs.items()}
    assert set(nodes) == set(ids.values())
    for key, run_id in ids.items():
        node = nodes[run_id]
        assert (node["kind"], node["label"], node["state_type"]) == (
            "task-run",
            task_runs[key]["name"],
            task_runs[key]["state_type"],
        )
        assert node["end_time"] is not None
    # plain took tagged's result as its input: the one edge of the graph.
    assert nodes[ids["plain"]]["parents"] == [{"id": ids["tagged"]}]
    assert nodes[ids["tagged"]]["children"] == [{"id": ids["plain"]}]
    assert set(graph["root_node_ids"]) == set(ids.values()) - {ids["plain"]}
    assert [n[0] for n in graph["nodes"]] == [ids[k] for k in HISTORIES]  # in start order
    assert [s["name"] for s in graph["states"]] == ["Pending", "Running", "Completed"]


def test_the_client_reports_no_trouble_with_events(tasks_run):
    everything = tasks_run.stdout + tasks_run.stderr
    for complaint in ("Unable to connect", "EventsWorker", "websocket", "Failed to reach API"):
        assert complaint not in everything
    # The only complaints are the failing task's own (its error and its final state).
    assert [line.split(" | ", 3)[-1] for line in tasks_run.warnings()] == [
        f"{_name(tasks_run, 'broken')} - Task run failed with exception: "
        "RuntimeError('broken on purpose')",
        f"{_name(tasks_run, 'broken')} - Finished in state "
        "Failed('Task run encountered an exception RuntimeError: broken on purpose')",
    ]


def _name(tasks_run: Finished, key: str) -> str:
    """`Task run 'broken-1a2'` as the client's log lines name it."""
    for line in tasks_run.stderr.splitlines() + tasks_run.stdout.splitlines():
        if f"Task run '{key}-" in line:
            start = line.index(f"Task run '{key}-")
            return line[start : line.index("'", start + 10) + 1]
    raise AssertionError(f"no log line names task {key}")
