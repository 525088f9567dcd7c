#!/usr/bin/env python
"""A/B of `/flow_runs/history` from the counters: a git revision's reader (A) against this
work tree's (B), in-process, interleaved.

    DATABASE_URL=postgres://... .venv/bin/python bench/history_ab.py [--rounds 15] [--before main]

A is `flowruns/selectors/run_counters/{slots,history}.py` as of `--before`, loaded from git
into this process (it reads only the 10-minute slot table, which B keeps too), run inside a
transaction that drops the indexes `--before` did not have (`--without`, PostgreSQL: DDL is
transactional, so the drop is rolled back after each call and B never sees it); B is the code
here. Each round answers the same requests with both, alternating which goes first, and checks
the answers are equal (every bucket, state and count; the sums to 1e-9). Shapes: 24 buckets
over the whole expected-start range (as `compare_shapes.py` sends it: every bucket edge is
ragged), the same with a state filter, and 7 daily buckets ending now.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402 - after the path is set

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402

from flowruns.filters.bodies import FlowRunHistoryQuery  # noqa: E402
from flowruns.models import FlowRun  # noqa: E402
from flowruns.selectors.run_counters.history import flow_run_history_matching  # noqa: E402

PACKAGE = "flowruns.selectors.run_counters"


def _load(revision: str, name: str, replace: dict[str, str]) -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{revision}:flowruns/selectors/run_counters/{name}.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for old, new in replace.items():
        source = source.replace(old, new)
    module = types.ModuleType(f"{PACKAGE}._before_{name}")
    module.__package__ = PACKAGE
    sys.modules[module.__name__] = module
    exec(compile(source, f"{revision}:{name}.py", "exec"), module.__dict__)
    return module


def before_reader(revision: str) -> Callable[..., Any]:
    _load(revision, "slots", {})
    history = _load(revision, "history", {"from .slots import": "from ._before_slots import"})
    return history.flow_run_history_matching


def without_indexes(call: Callable[[], Any], indexes: list[str]) -> Callable[[], Any]:
    """`call` run with `indexes` dropped for its duration (rolled back; the drop itself is not
    timed)."""
    if not indexes or connection.vendor != "postgresql":
        return call

    def run() -> Any:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for index in indexes:
                    cursor.execute(f"DROP INDEX {index}")
            began = time.perf_counter()
            answer = call()
            run.ms = (time.perf_counter() - began) * 1000  # type: ignore[attr-defined]
            transaction.set_rollback(True)
        return answer

    return run


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    answer = call()
    return getattr(call, "ms", (time.perf_counter() - began) * 1000), answer


def same_answer(a: list[Any], b: list[Any]) -> bool:
    """Equal buckets, states and counts; the float sums equal to 1e-9 (they are added up in
    another order when a reader sums partial aggregates)."""
    if [(x.interval_start, x.interval_end, len(x.states)) for x in a] != [
        (y.interval_start, y.interval_end, len(y.states)) for y in b
    ]:
        return False
    for x, y in zip(a, b, strict=True):
        for s, t in zip(x.states, y.states, strict=True):
            for key, value in s.items():
                other = t[key]
                if isinstance(value, float):
                    if not math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-6):
                        return False
                elif value != other:
                    return False
    return True


def shapes() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
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
    return {
        "history 24 buckets, whole range": ({}, whole),
        "history 24 buckets, COMPLETED|FAILED|RUNNING": (states, whole),
        "history 7 daily buckets ending now": ({}, week),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--before", default="main", help="git revision of reader A")
    parser.add_argument(
        "--without",
        nargs="*",
        default=[],
        help="indexes dropped (and restored) around each A call: those --before lacks",
    )
    args = parser.parse_args()
    old = before_reader(args.before)
    print(
        f"database: {connection.vendor}, runs: {FlowRun.objects.count():,},"
        f" A = {args.before} without {args.without}"
    )
    cases = shapes()
    times: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in cases}
    for r in range(args.rounds):
        for name, (body, kwargs) in cases.items():
            query = FlowRunHistoryQuery.model_validate(body)
            sides = [
                (0, without_indexes(lambda q=query, k=kwargs: old(query=q, **k), args.without)),
                (1, lambda q=query, k=kwargs: flow_run_history_matching(query=q, **k)),
            ]
            answers = {}
            for side, call in sides if r % 2 == 0 else sides[::-1]:
                ms, answers[side] = timed(call)
                times[name][side].append(ms)
            assert same_answer(answers[0], answers[1]), name
    for name, (a, b) in times.items():
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{name:46} A {ma:8.2f} ms  B {mb:7.2f} ms  A/B {ma / mb:5.2f}x  (n={len(a)})")


if __name__ == "__main__":
    main()
