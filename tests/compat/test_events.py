"""The event and log websockets driven by the real client (scenario d, and the CLI)."""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import pytest

from .runner import Client

pytestmark = [pytest.mark.compat, pytest.mark.postgres]


@pytest.fixture(scope="module")
def events_run(prefect: Client, nonce: str):
    return prefect.scenario("events.py", nonce, timeout=180)


def _stored(rest, body: dict) -> list[dict]:
    return list(rest.post("/events/filter", {"filter": body, "limit": 50})["events"])


def test_flow_runs_send_their_events_over_the_socket_and_they_are_stored(flows, rest):
    run_id = flows["two_tasks"]["flow_run_id"]
    events = _stored(rest, {"any_resource": {"id": [f"prefect.flow-run.{run_id}"]}, "order": "ASC"})
    names = {event["event"] for event in events}
    assert {"prefect.task-run.Pending", "prefect.task-run.Running"} <= names
    assert "prefect.task-run.Completed" in names
    assert "prefect.flow-run.heartbeat" in names


def test_emit_event_reaches_the_store(events_run, rest, nonce):
    assert events_run.result["emitted_id"]
    found = _stored(rest, {"event": {"name": [f"compat.custom.{nonce}"]}})
    assert [event["id"] for event in found] == [events_run.result["emitted_id"]]


def test_wait_for_flow_run_returns_on_the_terminal_state_event(events_run):
    result = events_run.result
    assert result["already_final"] == "COMPLETED"
    assert result["waited"] == "COMPLETED"
    assert result["wait_seconds"] < 30  # the event, not the 60 s timeout


def test_logs_subscriber_receives_a_log_written_after_subscribing(events_run, nonce):
    assert events_run.result["log_message"] == f"streamed {nonce}"


def test_the_scenario_client_warns_about_nothing(events_run):
    assert events_run.warnings() == []


def test_prefect_events_stream_prints_events_as_they_arrive(prefect: Client, tmp_path):
    marker = f"compat.stream.{uuid.uuid4().hex[:8]}"
    out = tmp_path / "stream.out"
    with open(out, "w") as sink:
        stream = subprocess.Popen(
            [str(prefect.bin / "prefect"), "--no-prompt", "events", "stream", "--format", "json"],
            env=prefect.env(),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        seen: list[dict] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not seen:
            emitted = prefect.prefect("event", "emit", marker, "--resource-id", f"compat.{marker}")
            assert emitted.returncode == 0, emitted.describe()
            time.sleep(1)
            for line in out.read_text().splitlines():
                if marker in line and line.startswith("{"):
                    seen.append(json.loads(line))
        assert seen, out.read_text()[-3000:]
        assert seen[0]["event"] == marker
        assert seen[0]["resource"]["prefect.resource.id"] == f"compat.{marker}"
    finally:
        stream.kill()
        stream.wait(timeout=10)


def test_flow_run_watch_follows_logs_and_events_until_the_terminal_state(
    prefect: Client, rest, tmp_path
):
    """`prefect flow-run watch` (what `deployment run --watch` runs): `/events/out` and
    `/logs/out` together. The run finishes over REST, with the state event the server emits
    for that write (events.md §7.1) sent over `/events/in`."""
    run = rest.create_run(f"compat-watch-{uuid.uuid4().hex[:6]}", state={"type": "PENDING"})
    out = tmp_path / "watch.out"
    with open(out, "w") as sink:
        watch = subprocess.Popen(
            [str(prefect.bin / "prefect"), "--no-prompt", "flow-run", "watch", run["id"],
             "--timeout", "120"],
            env=prefect.env(),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        # Logs are not backfilled: write one every second until the watcher shows one.
        deadline = time.monotonic() + 60
        while "watched log line" not in out.read_text() and time.monotonic() < deadline:
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            line = {"name": "compat", "level": 20, "message": "watched log line",
                    "timestamp": now, "flow_run_id": run["id"]}  # fmt: skip
            rest.post("/logs/", [line])
            time.sleep(1)
        assert "watched log line" in out.read_text(), out.read_text()[-3000:]
        rest.set_state(run["id"], "COMPLETED", force=True)
        resource = json.dumps(
            {
                "prefect.resource.id": f"prefect.flow-run.{run['id']}",
                "prefect.state-type": "COMPLETED",
                "prefect.state-name": "Completed",
            }
        )
        emitted = prefect.prefect("event", "emit", "prefect.flow-run.Completed", "-r", resource)
        assert emitted.returncode == 0, emitted.describe()
        watch.wait(timeout=60)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait(timeout=10)
    output = out.read_text()
    assert watch.returncode == 0, output
    assert "finished successfully" in output
