#!/usr/bin/env python
"""`/flow_runs/history` answered in-process by whole checkouts of this repository (their
readers, time arithmetic and settings, on one migrated database), interleaved.

    .venv/bin/python bench/history_checkouts.py --database-url postgres://.../bench_ours_10m \
        --checkout before=/tmp/wt-before --checkout after=. [--rounds 3] [--requests 5]

`bench/history_ab.py` swaps only the counters reader inside one process; this runs each
checkout as a fresh child process importing that checkout (working directory and `PYTHONPATH`),
so everything the answer goes through is the checkout's own, down to its database session
settings. Each child answers four requests `--requests` times and prints the median wall time
of each (ms): 24 buckets over the whole expected-start range (every edge ragged, as
`compare_shapes.py` sends it), the same with three states, 7 daily buckets ending now, and 7
daily buckets of one tag (a filter the counters do not cover: the plain query). Rounds
alternate the checkouts' order; the report is the median per checkout over rounds. The
database must already carry the newest checkout's migrations (an index added later is then
there for the older checkout too).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path


def child(requests: int) -> dict[str, float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    os.environ.setdefault("SECRET_KEY", "bench")
    from datetime import timedelta

    import django

    django.setup()
    from django.db.models import Max, Min
    from django.utils import timezone

    from flowruns.filters.bodies import FlowRunHistoryQuery
    from flowruns.models import FlowRun
    from flowruns.selectors.run_counters.history import flow_run_history_matching

    span = FlowRun.objects.aggregate(lo=Min("expected_start_time"), hi=Max("expected_start_time"))
    now = timezone.now()
    whole = {
        "start": span["lo"],
        "end": span["hi"],
        "interval_seconds": (span["hi"] - span["lo"]).total_seconds() / 24,
        "now": now,
    }
    week = {"start": now - timedelta(days=7), "end": now, "interval_seconds": 86400, "now": now}
    states = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED", "RUNNING"]}}}}
    tag = {"flow_runs": {"tags": {"all_": ["team-1"]}}}
    cases = {
        "24 buckets, whole range": ({}, whole),
        "24 buckets, 3 states": (states, whole),
        "7 daily buckets ending now": ({}, week),
        "one tag, 7 daily buckets (no counters)": (tag, week),
    }
    out: dict[str, float] = {}
    for name, (body, kwargs) in cases.items():
        query = FlowRunHistoryQuery.model_validate(body)
        flow_run_history_matching(query=query, **kwargs)  # warm
        times = []
        for _ in range(requests):
            began = time.perf_counter()
            flow_run_history_matching(query=query, **kwargs)
            times.append((time.perf_counter() - began) * 1000)
        out[name] = round(statistics.median(times), 2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--checkout", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.requests)))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.checkouts import checkout_rounds

    results = checkout_rounds(
        __file__,
        checkouts=args.checkout,
        database_url=args.database_url,
        rounds=args.rounds,
        child_args=["--requests", str(args.requests)],
        show=lambda r, name, measured: print(f"round {r} {name:<8} {measured}", flush=True),
    )
    print("\nmedian over rounds (ms)")
    for name in results:
        medians = {
            case: statistics.median(m[case] for m in results[name]) for case in results[name][0]
        }
        print(f"{name:<8} {json.dumps(medians)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
