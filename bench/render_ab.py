#!/usr/bin/env python
"""Time of the flow-run list routes in-process (Django's test client, no HTTP server), A/B
across checkouts of this repository on one database, interleaved: the rendering work of
issue 11 (rows, dicts, JSON) measured where it runs.

    .venv/bin/python bench/render_ab.py --database-url postgres://postgres@127.0.0.1:5432/x \\
        --checkout main=/tmp/main-src --checkout new=. [--rounds 5] [--requests 40]

The database holds the reference rows (`seed_flow_runs --profile reference`). Each round runs
every checkout in turn (order alternating) as a fresh child process importing that checkout.
A child sends, `--requests` times each after a warm-up: `filter` (the reference filter, two
states + one tag, EXPECTED_START_TIME_DESC, limit 200), `filter all` (no filter, ID_DESC,
limit 200), `paginate` (no filter, limit 50, pages 1-10) and `paginate team` (the reference
filter, limit 50, pages 1-10), and records each request's wall time and the process's CPU
time. Reported: per route the median over rounds of each round's p50 wall and mean CPU per
request, and new/base ratios; the SHA-256 of each route's first answer at a fixed `now` must
be the same for every checkout (same bytes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

TEAM = {"tags": {"all_": ["team-3"]}, "state": {"type": {"any_": ["COMPLETED", "FAILED"]}}}
ROUTES = {
    "filter": ("/api/flow_runs/filter",
               lambda i: {"flow_runs": TEAM, "sort": "EXPECTED_START_TIME_DESC", "limit": 200}),
    "filter all": ("/api/flow_runs/filter", lambda i: {"sort": "ID_DESC", "limit": 200}),
    "paginate": ("/api/flow_runs/paginate", lambda i: {"limit": 50, "page": 1 + i % 10}),
    "paginate team": ("/api/flow_runs/paginate",
                      lambda i: {"flow_runs": TEAM, "limit": 50, "page": 1 + i % 10}),
}  # fmt: skip


def child(requests: int) -> dict[str, float | str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("SECRET_KEY", "bench")
    from datetime import UTC, datetime
    from unittest import mock

    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    # The production settings allow only the bind address's names (not "testserver").
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_PREFECT_API_VERSION="0.8.4")
    out: dict[str, float | str] = {}
    for route, (path, body) in ROUTES.items():

        def call(i: int, path: str = path, body=body) -> bytes:
            response = client.post(path, json.dumps(body(i)), content_type="application/json")
            assert response.status_code == 200, response.content[:300]
            return response.content

        with mock.patch.object(timezone, "now", return_value=datetime(2031, 1, 1, tzinfo=UTC)):
            out[f"{route}_sha256"] = hashlib.sha256(call(0)).hexdigest()[:16]
        for i in range(5):
            call(i)
        walls = []
        cpu_started = time.process_time()
        for i in range(requests):
            started = time.perf_counter()
            call(i)
            walls.append(1000 * (time.perf_counter() - started))
        out[f"{route}_cpu_ms"] = 1000 * (time.process_time() - cpu_started) / requests
        out[f"{route}_p50_ms"] = statistics.median(walls)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--checkout", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.requests)))
        return 0
    checkouts = [item.split("=", 1) for item in args.checkout]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.checkouts import Measured, checkout_rounds

    def show(round_no: int, name: str, measured: Measured) -> None:
        cells = "  ".join(f"{r} {measured[f'{r}_p50_ms']:.1f}" for r in ROUTES)
        print(f"round {round_no} {name:<8} p50 ms: {cells}", flush=True)

    results = checkout_rounds(
        __file__,
        checkouts=args.checkout,
        database_url=args.database_url,
        rounds=args.rounds,
        child_args=["--requests", str(args.requests)],
        show=show,
    )
    base = checkouts[0][0]
    summary: dict[str, dict] = {}
    print(f"\n| route | checkout | p50 ms | /{base} | CPU ms | /{base} | answer sha256 |")
    print("|---|---|--:|--:|--:|--:|---|")
    for route in ROUTES:
        for name, _ in checkouts:
            cell = {}
            for key in ("p50_ms", "cpu_ms"):
                value = statistics.median(m[f"{route}_{key}"] for m in results[name])
                base_value = statistics.median(m[f"{route}_{key}"] for m in results[base])
                cell[key], cell[f"{key}_ratio"] = round(value, 2), round(value / base_value, 3)
            hashes = {m[f"{route}_sha256"] for m in results[name]}
            cell["sha256"] = ",".join(sorted(hashes))
            summary.setdefault(route, {})[name] = cell
            p50, cpu = (
                f"{cell['p50_ms']:.1f} | {cell['p50_ms_ratio']:.2f}",
                (f"{cell['cpu_ms']:.1f} | {cell['cpu_ms_ratio']:.2f}"),
            )
            print(f"| {route} | {name} | {p50} | {cpu} | {cell['sha256']} |")
    same = all(len({c["sha256"] for c in per.values()}) == 1 for per in summary.values())
    print(f"same answers across checkouts: {'yes' if same else 'NO'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "runs": results}, indent=1))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
