#!/usr/bin/env python
"""Concurrency-slot pairs per second: take a slot and give it back, over HTTP, c at once.

    .venv/bin/python bench/concurrency_pairs.py [--url http://127.0.0.1:4200/api]
        [--concurrency 8] [--duration 20] [--limit 100] [--workers 2] [--json out.json]

Without --url it starts `make serve`'s ASGI server (bench/servers.py) on DATABASE_URL, which
must be migrated. Every worker thread holds one keep-alive connection and repeats, for
--duration seconds, each pair kind in turn on one shared limit `bench-pairs` (limit --limit,
so all c threads contend for the same row locks, but never for a slot):

* `lease`: `POST /v2/concurrency_limits/increment-with-lease` then `decrement-with-lease`
  (what a tagged task does, minus the renewal);
* `name`: `POST /v2/concurrency_limits/increment` then `decrement` by name (no lease row).

Reports pairs per second and the p50/p99 of one pair's wall time. Any other answer than
200/204 counts as an error (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load
from bench.servers import Server

LIMIT = "bench-pairs"
V2 = "/v2/concurrency_limits"


def pair_lease(client: load.Client) -> bool:
    body = {"names": [LIMIT], "slots": 1, "mode": "concurrency", "lease_duration": 60}
    holder = {"type": "task_run", "id": str(uuid.uuid4())}
    status, data = client.request(
        "POST", f"{V2}/increment-with-lease", load.encode({**body, "holder": holder})
    )
    if status != 200:
        return False
    lease_id = json.loads(data)["lease_id"]
    status, _ = client.request(
        "POST", f"{V2}/decrement-with-lease", load.encode({"lease_id": lease_id})
    )
    return status == 204


def pair_name(client: load.Client) -> bool:
    body = load.encode({"names": [LIMIT], "slots": 1})
    first, _ = client.request("POST", f"{V2}/increment", body)
    second, _ = client.request("POST", f"{V2}/decrement", body)
    return (first, second) == (200, 200)


def run(target: load.Target, kind: str, concurrency: int, duration: float) -> dict:
    pair = pair_lease if kind == "lease" else pair_name
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def worker() -> None:
        nonlocal errors
        client = load.Client(target, decode=True)
        mine: list[float] = []
        failed = 0
        start.wait()
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            began = time.perf_counter()
            ok = pair(client)
            if ok:
                mine.append(time.perf_counter() - began)
            else:
                failed += 1
        client.close()
        with lock:
            times.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    ordered = sorted(times)
    return {
        "kind": kind,
        "concurrency": concurrency,
        "pairs": len(times),
        "errors": errors,
        "pairs_per_second": round(len(times) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
        "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 2) if ordered else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()
    server = None
    if args.url:
        target = load.loopback_target(args.url, use_gzip=True, timeout=30)
    else:
        server = Server("asgi", os.environ["DATABASE_URL"], args.workers)
        server.start()
        target = server.target()
    try:
        setup = load.Client(target, decode=True)
        setup.request("DELETE", f"{V2}/{LIMIT}", None)
        setup.json("POST", f"{V2}/", {"name": LIMIT, "limit": args.limit}, expect=(201,))
        results = [run(target, kind, args.concurrency, args.duration) for kind in ("lease", "name")]
        final = setup.json("GET", f"{V2}/{LIMIT}")
        setup.close()
    finally:
        if server is not None:
            server.stop()
    for result in results:
        print(json.dumps(result))
    print(json.dumps({"active_slots_after": final["active_slots"]}))
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results}, indent=2) + "\n")
    return 1 if any(r["errors"] for r in results) or final["active_slots"] else 0


if __name__ == "__main__":
    sys.exit(main())
