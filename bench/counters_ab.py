#!/usr/bin/env python
"""A/B of the run counters on a seeded database, in-process, interleaved.

    DATABASE_URL=postgres://... .venv/bin/python bench/counters_ab.py [--rounds 7] [--writes 30]

Reads: each shape is answered by the query `main` runs (A: `flow_runs_count`,
`flow_run_history` over `flow_run`) and by the counters (B: `flow_runs_count_matching`,
`flow_run_history_matching`), A and B alternating first from round to round; the answers are
checked equal. Writes: `--writes` runs created and taken SCHEDULED -> PENDING -> RUNNING ->
COMPLETED through the API (DRF test client, the real views and services) with the counter
triggers disabled (A) and enabled (B), interleaved. The runs it made are deleted at the end and
the counters rebuilt (the disabled rounds did not count theirs). Use a database of its own:
it holds an exclusive lock on `flow_run` while it switches the triggers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402 - after the path is set

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from flowruns.counters.install import counters_rebuild  # noqa: E402
from flowruns.filters.bodies import FlowRunHistoryQuery, FlowRunQuery  # noqa: E402
from flowruns.models import Flow, FlowRun  # noqa: E402
from flowruns.selectors.flow_run_queries import flow_runs_count  # noqa: E402
from flowruns.selectors.history import flow_run_history  # noqa: E402
from flowruns.selectors.run_counters.count import flow_runs_count_matching  # noqa: E402
from flowruns.selectors.run_counters.history import flow_run_history_matching  # noqa: E402

TEAM_STATE = {
    "flow_runs": {
        "tags": {"all_": ["team-3"]},
        "state": {"type": {"any_": ["COMPLETED", "FAILED"]}},
    }
}
COUNTS = {
    "count no filter": {},
    "count COMPLETED": {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
    "count team-3 + COMPLETED|FAILED (paginate's count)": TEAM_STATE,
}
EVENTS = ("insert", "update", "delete")


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    answer = call()
    return (time.perf_counter() - began) * 1000, answer


def read_pairs() -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {}
    for name, body in COUNTS.items():
        query = FlowRunQuery.model_validate(body)
        pairs[name] = (
            lambda q=query: flow_runs_count(where=q.q()),
            lambda q=query: flow_runs_count_matching(query=q),
        )
    span = FlowRun.objects.aggregate(lo=Min("expected_start_time"), hi=Max("expected_start_time"))
    now = timezone.now()
    history = FlowRunHistoryQuery.model_validate({})
    args = {
        "start": span["lo"],
        "end": span["hi"],
        "interval_seconds": (span["hi"] - span["lo"]).total_seconds() / 24,
        "now": now,
    }

    def shape(buckets: list[Any]) -> list[Any]:
        return [
            [(s["state_type"], s["state_name"], s["count_runs"]) for s in b.states] for b in buckets
        ]

    pairs["history 24 buckets, whole range"] = (
        lambda: shape(flow_run_history(where=history.q(), **args)),
        lambda: shape(flow_run_history_matching(query=history, **args)),
    )
    return pairs


def triggers(enabled: bool) -> None:
    verb = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for event in EVENTS:
            cursor.execute(f"ALTER TABLE flow_run {verb} TRIGGER flow_run_counters_{event}")


def write_round(client: APIClient, flow_id: str, runs: int) -> tuple[list[float], list[float]]:
    creates, transitions = [], []
    for _ in range(runs):
        body = {"flow_id": flow_id, "state": {"type": "SCHEDULED"}, "tags": ["bench:counters"]}
        ms, response = timed(lambda b=body: client.post("/api/flow_runs/", b, format="json"))
        creates.append(ms)
        run_id = response.json()["id"]
        for state in ("PENDING", "RUNNING", "COMPLETED"):
            path = f"/api/flow_runs/{run_id}/set_state"
            ms, answer = timed(
                lambda p=path, s=state: client.post(p, {"state": {"type": s}}, format="json")
            )
            assert answer.json()["status"] == "ACCEPT", answer.json()
            transitions.append(ms)
    return creates, transitions


def report(name: str, a: list[float], b: list[float]) -> None:
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{name:55} A {ma:9.2f} ms  B {mb:8.2f} ms  A/B {ma / mb:7.1f}x  (n={len(a)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--writes", type=int, default=30, help="runs per write round")
    args = parser.parse_args()
    print(f"database: {connection.vendor}, runs: {FlowRun.objects.count():,}")
    pairs = read_pairs()
    reads: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in pairs}
    for r in range(args.rounds):
        for name, (old, new) in pairs.items():
            order = [(0, old), (1, new)] if r % 2 == 0 else [(1, new), (0, old)]
            answers = {}
            for side, call in order:
                ms, answers[side] = timed(call)
                reads[name][side].append(ms)
            assert answers[0] == answers[1], name
    for name, (a, b) in reads.items():
        report(name, a, b)

    flow, _ = Flow.objects.get_or_create(name="bench-counters")
    client = APIClient()
    write_round(client, str(flow.id), 5)  # warm-up
    results: dict[bool, tuple[list[float], list[float]]] = {False: ([], []), True: ([], [])}
    try:
        for r in range(args.rounds):
            for enabled in (False, True) if r % 2 == 0 else (True, False):
                triggers(enabled)
                creates, transitions = write_round(client, str(flow.id), args.writes)
                results[enabled][0].extend(creates)
                results[enabled][1].extend(transitions)
    finally:
        triggers(True)
        FlowRun.objects.filter(flow=flow).delete()
        counters_rebuild(connection)
    report("create (triggers off = A, on = B)", results[False][0], results[True][0])
    report("set_state (triggers off = A, on = B)", results[False][1], results[True][1])


if __name__ == "__main__":
    main()
