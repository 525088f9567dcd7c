#!/usr/bin/env python
"""Events ingested per second over `/api/events/in`, on one socket and on several.

    .venv/bin/python bench/events_ws.py --url http://127.0.0.1:4200/api \
        [--sockets 1,8] [--events 2000] [--json bench/results/events-ws.json]

Each socket does what the Prefect client does: the `prefect` subprotocol and the auth
message, then one event per frame (about 1.2 kB, three related resources, like a task-run
event), with a ping checkpoint every 700 events. The clock stops when the server reports
every event stored (`POST /events/filter` `total` for this run's unique event name), so the
rate is end to end: read, validated, stored with its resource rows, published.
Loopback only.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load


def make_event(name: str, i: int) -> dict[str, Any]:
    run = uuid.uuid4()
    return {
        "occurred": datetime.now(UTC).isoformat(),
        "event": name,
        "resource": {
            "prefect.resource.id": f"prefect.task-run.{uuid.uuid4()}",
            "prefect.resource.name": f"task-{i}",
            "prefect.state-name": "Completed",
            "prefect.state-type": "COMPLETED",
        },
        "related": [
            {"prefect.resource.id": "prefect.tag.bench", "prefect.resource.role": "tag"},
            {"prefect.resource.id": f"prefect.flow-run.{run}", "prefect.resource.role": "flow-run"},
            {"prefect.resource.id": f"prefect.flow.{run}", "prefect.resource.role": "flow"},
        ],
        "payload": {"intended": {"from": "RUNNING", "to": "COMPLETED"}, "pad": "x" * 700},
        "id": str(uuid.uuid4()),
        "follows": None,
    }


def send_all(ws_url: str, name: str, count: int, offset: int) -> None:
    frames = [json.dumps(make_event(name, offset + i)) for i in range(count)]
    with connect(ws_url, subprotocols=["prefect"], open_timeout=10) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "auth", "token": None}))
        assert json.loads(ws.recv(timeout=10))["type"] == "auth_success"
        for i, frame in enumerate(frames, 1):
            ws.send(frame)
            if i % 700 == 0:
                ws.ping().wait(60)
        ws.ping().wait(60)


def stored(client: load.Client, name: str) -> int:
    now = datetime.now(UTC)
    body = {
        "filter": {
            "event": {"name": [name]},
            "occurred": {
                "since": (now - timedelta(hours=1)).isoformat(),
                "until": (now + timedelta(hours=1)).isoformat(),
            },
        },
        "limit": 1,
    }
    return int(client.json("POST", "/events/filter", body)["total"])


def measure(target: load.Target, ws_url: str, sockets: int, events: int) -> dict[str, Any]:
    name = f"bench.ws.{uuid.uuid4().hex[:8]}"
    per_socket = events // sockets
    total = per_socket * sockets
    client = load.Client(target, decode=True)
    started = time.perf_counter()
    threads = [
        threading.Thread(target=send_all, args=(ws_url, name, per_socket, n * per_socket))
        for n in range(sockets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = time.perf_counter() - started
    while (count := stored(client, name)) < total and time.perf_counter() - started < 600:
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    client.close()
    return {
        "sockets": sockets,
        "events": total,
        "stored": count,
        "seconds": round(elapsed, 2),
        "sent_seconds": round(sent, 2),
        "events_per_s": round(count / elapsed, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:4200/api")
    parser.add_argument("--sockets", default="1,8")
    parser.add_argument("--events", type=int, default=2000, help="per measurement (max 50000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    if not 1 <= args.events <= 50_000 or not 1 <= args.repeat <= 10:
        parser.error("1 <= --events <= 50000, 1 <= --repeat <= 10")
    target = load.loopback_target(args.url, use_gzip=True, timeout=30)
    ws_url = f"ws://{target.host}:{target.port}{target.base}/events/in"
    results = []
    for _ in range(args.repeat):
        for sockets in (int(s) for s in args.sockets.split(",")):
            result = measure(target, ws_url, sockets, args.events)
            results.append(result)
            print(json.dumps(result), flush=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        document = {"url": args.url, "started_at": datetime.now(UTC).isoformat(), "runs": results}
        Path(args.json).write_text(json.dumps(document, indent=2))
    return 0 if all(r["stored"] == r["events"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
