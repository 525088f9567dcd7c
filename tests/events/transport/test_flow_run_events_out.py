"""A subscriber on `/api/events/out` receives the `prefect.flow-run.<state>` events of states
written by another process (events.md §7.1, §8.5): another worker of its server, or another
server on the same database, which is how a second machine looks to it. It receives them in
order, with the run's labels, and never an event for a proposal the rules aborted or for a
state whose transaction rolled back.

The writes go over HTTP on fresh connections, and /proc tells which worker served each one
(`workers.py`): the test goes on until at least one accepted write was served by a worker
other than the subscriber's. The database carries every event to every worker
(LISTEN/NOTIFY, `events.bus`), so the delivery path is the same either way; this proves it.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from tests.compat.server import LiveServer

from .helpers import live_filter, open_socket, receive_json
from .live import Live, postgres
from .workers import serving_worker

pytestmark = pytest.mark.postgres

MAX_ROUNDS = 15  # pause/resume rounds until a write lands on another worker (~50% each)

ROLLED_BACK_THEN_COMMITTED = """
from django.db import transaction
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.states import flow_run_set_state

def propose(kind, force):
    return flow_run_set_state(
        flow_run_id={run_id!r}, state=StateProposal(type=kind), force=force,
        call=OrchestrationCall(),
    )

class RolledBack(Exception):
    pass

try:
    with transaction.atomic():
        written = propose("CANCELLING", True)
        print("rolled back", written.state.id, written.written)
        raise RolledBack
except RolledBack:
    pass
print("committed", propose("RUNNING", False).state.id)
"""


@dataclass(frozen=True)
class Proposal:
    status: str
    state: dict[str, Any]  # the run's state after the call
    worker: int | None  # the pid of the worker that served the request


def propose(port: int, master: int, run_id: str, kind: str) -> Proposal:
    """POST set_state on a fresh connection; which worker served it, and what it decided."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = json.dumps({"state": {"type": kind}, "force": False})
        conn.request(
            "POST",
            f"/api/flow_runs/{run_id}/set_state",
            body,
            {"Content-Type": "application/json"},
        )
        response = conn.getresponse()
        reply = json.loads(response.read())
        assert response.status in (200, 201), reply
        worker = serving_worker(master, conn.sock)  # still open: keep-alive
    finally:
        conn.close()
    return Proposal(reply["status"], reply["state"], worker)


def create_run(live: Live, name: str) -> dict[str, Any]:
    status, flow = live.post("/flows/", {"name": name})
    assert status in (200, 201), flow
    body = {"flow_id": flow["id"], "tags": ["xworker"], "empirical_policy": {"retries": 1}}
    status, run = live.post("/flow_runs/", body)
    assert status == 201, run
    return dict(run)


def subscribe(live: Live, run_id: str):
    """What `wait_for_flow_run` sends: the run's `prefect.flow-run` events, with backfill."""
    ws = open_socket(live, "/events/out")
    criteria = {"event": {"prefix": ["prefect.flow-run"]}}
    criteria["resource"] = {"id": [f"prefect.flow-run.{run_id}"]}
    ws.send(json.dumps({"type": "filter", "filter": live_filter(**criteria)}))
    return ws


def receive(ws, count: int) -> list[dict[str, Any]]:
    """The next `count` events (10 s for each), then proof that nothing else follows."""
    events = [receive_json(ws, timeout=10)["event"] for _ in range(count)]
    with pytest.raises(TimeoutError):
        extra = receive_json(ws, timeout=2)
        pytest.fail(f"an event nobody wrote arrived: {extra['event']['event']}")
    return events


def check_events(events: list[dict], written: list[dict], run: dict, flow_name: str) -> None:
    """Each event is a written state's, in order, labelled as §7.1 says. `written` starts with
    the state the run was in before the first of them."""
    assert [e["id"] for e in events] == [s["id"] for s in written[1:]]
    for event, previous, state in zip(events, written, written[1:], strict=False):
        assert event["event"] == f"prefect.flow-run.{state['name']}"
        resource = event["resource"]
        assert resource["prefect.resource.id"] == f"prefect.flow-run.{run['id']}"
        assert resource["prefect.resource.name"] == run["name"]
        assert resource["prefect.state-type"] == state["type"]
        assert resource["prefect.state-name"] == state["name"]
        assert when(resource["prefect.state-timestamp"]) == when(state["timestamp"])
        assert resource["prefect.state-timestamp"].endswith("+00:00")
        assert event["related"] == [
            {
                "prefect.resource.id": f"prefect.flow.{run['flow_id']}",
                "prefect.resource.role": "flow",
                "prefect.resource.name": flow_name,
            },
            {"prefect.resource.id": "prefect.tag.xworker", "prefect.resource.role": "tag"},
        ]
        assert event["payload"]["intended"] == {"from": previous["type"], "to": state["type"]}
        assert event["follows"] == previous["id"]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_states_written_by_another_worker_reach_the_subscriber_in_order(live):
    run = create_run(live, "xworker-states")
    master = live.process.pid
    with subscribe(live, run["id"]) as ws:
        subscriber = serving_worker(master, ws.socket)
        assert subscriber is not None
        # The backfill follows the live subscription: once it arrives, the live path is on.
        assert receive_json(ws)["event"]["id"] == run["state"]["id"]
        written = [run["state"]]
        workers = []

        def accepted(kind: str, status: str = "ACCEPT") -> None:
            proposal = propose(live.port, master, run["id"], kind)
            assert (proposal.status, proposal.state["type"]) == (status, _written(kind))
            written.append(proposal.state)
            workers.append(proposal.worker)

        def aborted(kind: str) -> None:
            proposal = propose(live.port, master, run["id"], kind)
            assert proposal.status == "ABORT"
            assert proposal.state["id"] == written[-1]["id"]  # nothing written

        accepted("RUNNING")
        aborted("PENDING")  # RUNNING -> PENDING: aborted, no state, no event
        accepted("FAILED", status="REJECT")  # retries left: AwaitingRetry is written instead
        assert written[-1]["name"] == "AwaitingRetry"
        # Another process writes a state and rolls it back, then commits one.
        out = live.manage("shell", "-c", ROLLED_BACK_THEN_COMMITTED.format(run_id=run["id"]))
        rolled_back, committed = _line(out, "rolled back"), _line(out, "committed")
        assert rolled_back[1] == "True"  # it was written, in a transaction that rolled back
        written.append(_run(live, run["id"])["state"])
        assert written[-1]["id"] == committed[0]
        for _ in range(MAX_ROUNDS):
            accepted("PAUSED")
            accepted("RUNNING")
            aborted("PENDING")
            if any(pid != subscriber for pid in workers):
                break
        accepted("COMPLETED")
        events = receive(ws, len(written) - 1)

    assert any(pid not in (None, subscriber) for pid in workers), (subscriber, workers)
    assert rolled_back[0] not in {e["id"] for e in events}
    final = _run(live, run["id"])
    check_events(events, written, run, "xworker-states")
    assert [e["resource"]["prefect.run-count"] for e in events[:3]] == ["1", "1", "2"]
    assert events[-1]["resource"]["prefect.run-count"] == str(final["run_count"])
    assert final["state"]["id"] == events[-1]["id"]


def test_states_written_through_another_server_reach_the_subscriber(live, tmp_path):
    """Two servers on one database: a subscriber on the first sees what the second writes."""
    other = LiveServer(
        database_url=postgres().url(live.dbname), log_path=tmp_path / "other.log", workers=1
    )
    other.start(runtime_dir=tmp_path)
    try:
        run = create_run(live, "xserver-states")
        with subscribe(live, run["id"]) as ws:
            assert receive_json(ws)["event"]["id"] == run["state"]["id"]
            assert other.process is not None
            master = other.process.pid
            written = [run["state"]]
            for kind, status in (("RUNNING", "ACCEPT"), ("PENDING", "ABORT")):
                proposal = propose(other.port, master, run["id"], kind)
                assert proposal.status == status and proposal.worker is not None
                if status == "ACCEPT":
                    written.append(proposal.state)
            written.append(propose(other.port, master, run["id"], "COMPLETED").state)
            events = receive(ws, 2)
    finally:
        other.stop()
    check_events(events, written, run, "xserver-states")


def _written(kind: str) -> str:
    return "SCHEDULED" if kind == "FAILED" else kind  # the retry rule's replacement


def _line(output: str, label: str) -> list[str]:
    """The words after `label` on the shell's line that starts with it."""
    for line in output.splitlines():
        if line.startswith(label + " "):
            return line[len(label) + 1 :].split()
    raise AssertionError(f"no {label!r} line in:\n{output}")


def _run(live: Live, run_id: str) -> dict[str, Any]:
    status, runs = live.post("/flow_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}})
    assert status == 200 and len(runs) == 1, runs
    return dict(runs[0])
