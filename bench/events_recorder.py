#!/usr/bin/env python
"""The task-run recorder seen from outside: its lag and its throughput (spec/events.md §6).

    .venv/bin/python bench/events_recorder.py --url http://127.0.0.1:4200/api \\
        [--sockets 1,8] [--rate 30] [--seconds 20] [--task-runs 600] [--json PATH]

Both send the 3.8.8 client's task-run events (`bench/event_mix.py`: Pending, Running,
Completed of each task run) over `/api/events/in` with the client's protocol (the `prefect`
subprotocol, the auth message, one event per frame, a ping checkpoint every 700 events), for
task runs spread over flow runs created first through the REST API (two per socket).

* **Lag**: the sockets together send `--rate` events/s at a steady pace for `--seconds`.
  A poller asks `POST /task_runs/filter` for the task runs with events not seen yet (every
  `--poll-ms`) and reads each run's current state id, which is the id of the event that
  reported it: an event is visible once its run's state is that event's or a later one.
  Lag = the poll's answer time minus the moment just before the frame was sent, so it
  includes up to one poll period.
* **Throughput**: every socket sends its `--task-runs` / sockets task runs (3 events each)
  as fast as the protocol allows; the clock stops when `POST /task_runs/count` reports every
  task run in a final state. Task-run events recorded per second, end to end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load
from bench.event_mix import FlowRunRef, task_run_event

STAGES = ("PENDING", "RUNNING", "COMPLETED")
FLOW_RUNS_PER_SOCKET = 2


def make_flow_runs(client: load.Client, count: int) -> list[FlowRunRef]:
    flow = client.json("POST", "/flows/", {"name": "bench-recorder"}, expect=(200, 201))
    runs = []
    for _ in range(count):
        body = {"flow_id": flow["id"], "tags": ["bench:recorder"], "state": {"type": "RUNNING"}}
        run = client.json("POST", "/flow_runs/", body, expect=(201,))
        flow_id = uuid.UUID(flow["id"])
        runs.append(
            FlowRunRef(uuid.UUID(run["id"]), run["name"], flow_id, flow["name"], ("bench",))
        )
    return runs


def task_events(runs: list[FlowRunRef], tasks: int) -> list[tuple[str, str, int, str]]:
    """(task run id, event id, stage, frame) for `tasks` task runs over `runs`, in order."""
    out = []
    for index in range(tasks):
        run = runs[index % len(runs)]
        task_run_id = uuid.uuid4()
        started = datetime.now(UTC)
        for stage, state_type in enumerate(STAGES):
            event = task_run_event(
                run,
                task_run_id=task_run_id,
                task="bench",
                index=index,
                state_type=state_type,
                occurred=datetime.now(UTC),
                started=started,
            )
            out.append((str(task_run_id), event["id"], stage, json.dumps(event)))
    return out


def _socket(ws_url: str) -> Any:
    ws = connect(ws_url, subprotocols=["prefect"], open_timeout=10)  # type: ignore[list-item]
    ws.send(json.dumps({"type": "auth", "token": None}))
    assert json.loads(ws.recv(timeout=10))["type"] == "auth_success"
    return ws


class Visibility:
    """Send times of events and the moment the poller first saw each of them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: dict[str, dict[int, float]] = {}  # task run -> stage -> send time
        self.stage_of: dict[str, int] = {}  # event id -> stage
        self.lags: list[float] = []
        self.polls: list[float] = []

    def sending(self, task_run: str, event_id: str, stage: int) -> None:
        with self.lock:
            self.sent.setdefault(task_run, {})[stage] = time.perf_counter()
            self.stage_of[event_id] = stage

    def waiting(self) -> list[str]:
        with self.lock:
            return list(self.sent)[:200]

    def seen(self, task_run: str, state_id: str | None, at: float) -> None:
        with self.lock:
            stage = self.stage_of.get(state_id or "")
            pending = self.sent.get(task_run)
            if stage is None or pending is None:
                return
            for sent_stage in [s for s in pending if s <= stage]:
                self.lags.append(at - pending.pop(sent_stage))
            if not pending:
                del self.sent[task_run]


def _poll(target: load.Target, seen: Visibility, stop: threading.Event, every: float) -> None:
    """Poll until `stop` is set and every event was seen, or 30 s after `stop`."""
    client = load.Client(target, decode=True)
    deadline = float("inf")
    while True:
        ids = seen.waiting()
        if stop.is_set():
            deadline = min(deadline, time.perf_counter() + 30)
            if not ids or time.perf_counter() > deadline:
                break
        if ids:
            started = time.perf_counter()
            body = {"task_runs": {"id": {"any_": ids}}, "limit": 200}
            runs = client.json("POST", "/task_runs/filter", body)
            at = time.perf_counter()
            seen.polls.append(at - started)
            for run in runs:
                seen.seen(run["id"], run["state_id"], at)
        time.sleep(every)
    client.close()


def measure_lag(
    target: load.Target, ws_url: str, sockets: int, rate: float, seconds: float, poll_ms: float
) -> dict[str, Any]:
    setup = load.Client(target, decode=True)
    runs = make_flow_runs(setup, sockets * FLOW_RUNS_PER_SOCKET)
    setup.close()
    per_socket = max(1, int(rate * seconds / sockets / 3))
    seen = Visibility()
    stop = threading.Event()
    poller = threading.Thread(target=_poll, args=(target, seen, stop, poll_ms / 1000))
    poller.start()
    interval = sockets / rate
    start = time.perf_counter() + 0.5

    def send(n: int) -> None:
        mine = runs[n * FLOW_RUNS_PER_SOCKET : (n + 1) * FLOW_RUNS_PER_SOCKET]
        frames = task_events(mine, per_socket)
        with _socket(ws_url) as ws:
            for i, (task_run, event_id, stage, frame) in enumerate(frames, 1):
                delay = start + (i + n / sockets) * interval - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                seen.sending(task_run, event_id, stage)
                ws.send(frame)
                if i % 700 == 0:
                    ws.ping().wait(60)
            ws.ping().wait(60)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(sockets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    poller.join()
    lags = sorted(seen.lags)
    events = per_socket * 3 * sockets
    return {
        "sockets": sockets,
        "rate": rate,
        "events": events,
        "seen": len(lags),
        "lag_ms": {p: _ms(_percentile(lags, q)) for p, q in (("p50", 50), ("p90", 90), ("p99", 99))}
        | {"max": _ms(lags[-1] if lags else None)},
        "poll_ms_p50": _ms(statistics.median(seen.polls) if seen.polls else None),
        "polls": len(seen.polls),
    }


def measure_throughput(
    target: load.Target, ws_url: str, sockets: int, task_runs: int
) -> dict[str, Any]:
    client = load.Client(target, decode=True)
    runs = make_flow_runs(client, sockets * FLOW_RUNS_PER_SOCKET)
    per_socket = max(1, task_runs // sockets)
    batches = [
        task_events(runs[n * FLOW_RUNS_PER_SOCKET : (n + 1) * FLOW_RUNS_PER_SOCKET], per_socket)
        for n in range(sockets)
    ]

    def send(frames: list[tuple[str, str, int, str]]) -> None:
        with _socket(ws_url) as ws:
            for i, (_, _, _, frame) in enumerate(frames, 1):
                ws.send(frame)
                if i % 700 == 0:
                    ws.ping().wait(60)
            ws.ping().wait(60)

    total = per_socket * sockets
    count_body = {
        "flow_runs": {"id": {"any_": [str(run.id) for run in runs]}},
        "task_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED"]}}},
    }
    started = time.perf_counter()
    threads = [threading.Thread(target=send, args=(frames,)) for frames in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = time.perf_counter() - started
    while (done := client.json("POST", "/task_runs/count", count_body)) < total:
        if time.perf_counter() - started > 600:
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    client.close()
    return {
        "sockets": sockets,
        "task_runs": total,
        "recorded": done,
        "events": total * 3,
        "seconds": round(elapsed, 2),
        "sent_seconds": round(sent, 2),
        "events_per_s": round(done * 3 / elapsed, 1),
    }


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:4200/api")
    parser.add_argument("--sockets", default="1,8")
    parser.add_argument("--rate", type=float, default=30.0, help="events/s, all sockets")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--poll-ms", type=float, default=10.0)
    parser.add_argument("--task-runs", type=int, default=600)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    target = load.loopback_target(args.url, use_gzip=True, timeout=30)
    ws_url = f"ws://{target.host}:{target.port}{target.base}/events/in"
    results: list[dict[str, Any]] = []
    for sockets in (int(s) for s in args.sockets.split(",")):
        for result in (
            measure_throughput(target, ws_url, sockets, args.task_runs),
            measure_lag(target, ws_url, sockets, args.rate, args.seconds, args.poll_ms),
        ):
            results.append(result)
            print(json.dumps(result), flush=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        document = {"url": args.url, "started_at": datetime.now(UTC).isoformat(), "runs": results}
        Path(args.json).write_text(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
