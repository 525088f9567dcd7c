"""The request shapes of the Prefect comparison (bench/compare.py), as the Prefect client, CLI
and UI send them, and how to compare two servers' answers to them.

A shape turns the facts about one server's data (`Facts`) into the i-th request (`load.Call`).
Parameterised shapes rotate through a small, fixed set of values (team-0..9, pages 1-10, ten
flows, ten name fragments, ten days), the same i giving the same request on both servers.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.http_client import Call, encode

FINISHED = ["COMPLETED", "FAILED"]
NAME_FRAGMENTS = ("ab1", "7f0", "c3d", "e9", "42a", "5b6", "0d8", "f1e", "9c", "a7b")


@dataclass
class Facts:
    """What one server's database holds, looked up before the run (bench/compare_setup.py)."""

    flow_ids: list[str]  # seed-flow-0..9, in name order
    read_ids: list[str]  # a sample of run ids spread over the table
    history_start: datetime  # earliest and latest expected start, for the whole-range history
    history_end: datetime
    window_end: datetime  # the reference window's anchor (runs before it are finished, etc.)
    bench_flow_id: str = ""  # the flow `create` and `set_state` make their runs for
    scheduled: Iterator[str] = field(default_factory=lambda: iter(()))  # runs for set_state
    runs: int = 0  # runs in the database


@dataclass(frozen=True)
class Shape:
    name: str
    group: str  # read, filter, count, paginate, history, task_runs, write
    build: Callable[[Facts], Callable[[int], Call]]
    answer: Callable[[Any], Any] | None = None  # normalises an answer for the same-answer check
    period: int = 1  # distinct requests before the rotation repeats

    @property
    def write(self) -> bool:
        return self.group == "write"


# ---- bodies as the Prefect client sends them (explicit nulls for the filters not given) ----
def query(**given: Any) -> dict[str, Any]:
    keys = ("flows", "flow_runs", "task_runs", "deployments", "work_pools", "work_pool_queues")
    body = dict.fromkeys(keys)
    body.update(given)
    return body


def team_finished(i: int) -> dict[str, Any]:
    return {"tags": {"all_": [f"team-{i % 10}"]}, "state": {"type": {"any_": FINISHED}}}


COMPLETED_ONLY = {"state": {"type": {"any_": ["COMPLETED"]}}}
PAGINATE_FILTERS: dict[str, Callable[[int], dict[str, Any] | None]] = {
    "team+state": team_finished,
    "COMPLETED": lambda i: COMPLETED_ONLY,
    "no filter": lambda i: None,
}


def post(path: str, body: Any, expect: int = 200) -> Call:
    return Call("POST", path, encode(body), expect, lambda b: True)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# ---- answers, normalised so that two servers can be compared ----------------------------
def ids(body: Any) -> list[str]:
    return [run["id"] for run in body]


def page(body: Any) -> dict[str, Any]:
    return {k: body[k] for k in ("count", "limit", "pages", "page")} | {"ids": ids(body["results"])}


def run_fields(body: Any) -> dict[str, Any]:
    keys = ("id", "name", "flow_id", "state_type", "state_name", "run_count", "tags")
    times = ("expected_start_time", "start_time", "end_time", "next_scheduled_start_time")
    out = {k: body.get(k) for k in keys}
    out |= {k: _instant(body.get(k)) for k in times}
    out["total_run_time"] = round(float(body.get("total_run_time") or 0), 3)
    out["state"] = (body.get("state") or {}).get("type")
    return out


def history(body: Any) -> list[Any]:
    """Per bucket: (start, end, [(type, name, count, run time, lateness)]) with the sums
    rounded (RUNNING and late runs' estimates grow while the two requests are made)."""
    return [
        (
            _instant(bucket["interval_start"]),
            _instant(bucket["interval_end"]),
            sorted((s["state_type"], s["state_name"], s["count_runs"]) for s in bucket["states"]),
            sorted(
                (s["state_type"], s["state_name"], round(s["sum_estimated_run_time"], -4))
                for s in bucket["states"]
                if s["state_type"] not in ("RUNNING", "PENDING", "SCHEDULED")
            ),
        )
        for bucket in body
    ]


def _instant(value: str | None) -> str | None:
    """One spelling per instant (`Z` or `+00:00`, trailing zeros of the fraction)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.isoformat(timespec="microseconds")


# ---- the shapes -----------------------------------------------------------------------------
def _read(facts: Facts) -> Callable[[int], Call]:
    def call(i: int) -> Call:
        run_id = facts.read_ids[i % len(facts.read_ids)]
        return Call("GET", f"/flow_runs/{run_id}", None, 200, lambda b: b["id"] == run_id)

    return call


def _flow_runs(path: str, body: Callable[[Facts, int], Any]) -> Callable[[Facts], Any]:
    def build(facts: Facts) -> Callable[[int], Call]:
        return lambda i: post(path, body(facts, i))

    return build


def _paginate(filters: Callable[[int], Any], pages: Callable[[int], int]) -> Callable:
    return _flow_runs(
        "/flow_runs/paginate",
        lambda f, i: (
            query(flow_runs=filters(i))
            | {"sort": "EXPECTED_START_TIME_DESC", "limit": 50, "page": pages(i)}
        ),
    )


def _history(facts: Facts, i: int) -> dict[str, Any]:
    span = (facts.history_end - facts.history_start).total_seconds()
    return {
        "history_start": iso(facts.history_start),
        "history_end": iso(facts.history_end),
        "history_interval_seconds": span / 24,
    } | {k: None for k in ("flows", "flow_runs", "task_runs", "deployments", "work_pools")}


def _start_window(facts: Facts, i: int) -> dict[str, Any]:
    day_end = facts.window_end - timedelta(days=1 + 3 * (i % 10))
    window = {"after_": iso(day_end - timedelta(days=1)), "before_": iso(day_end)}
    return query(flow_runs={"start_time": window}) | {
        "sort": "START_TIME_DESC",
        "limit": 200,
        "offset": 0,
    }


def _create(facts: Facts) -> Callable[[int], Call]:
    def call(i: int) -> Call:
        body = {
            "state": {
                "type": "PENDING",
                "name": "Pending",
                "message": None,
                "state_details": {"traceparent": None},
                "data": None,
            },
            "name": f"bench-create-{uuid.uuid4().hex[:12]}",
            "flow_id": facts.bench_flow_id,
            "flow_version": "bench",
            "parameters": {"i": i},
            "context": {},
            "parent_task_run_id": None,
            "empirical_policy": {"retries": 0, "retry_delay": 0},
            "tags": ["bench:compare", "env:dev"],
        }
        return Call("POST", "/flow_runs/", encode(body), 201, lambda b: "id" in b)

    return call


STEPS = ("PENDING", "RUNNING", "COMPLETED")


def state_body(run_id: str, state_type: str) -> dict[str, Any]:
    details = dict.fromkeys(
        (
            "task_run_id", "child_flow_run_id", "scheduled_time", "cache_key",
            "cache_expiration", "deferred", "pause_timeout", "pause_key", "run_input_keyset",
            "refresh_cache", "retriable", "task_parameters_id", "traceparent",
            "deployment_concurrency_lease_id",
        )
    )  # fmt: skip
    details |= {
        "flow_run_id": run_id,
        "untrackable_result": False,
        "pause_reschedule": False,
        "transition_id": str(uuid.uuid4()),
    }
    state = {
        "type": state_type,
        "name": state_type.capitalize(),
        "message": None,
        "state_details": details,
        "data": None,
    }
    return {"state": state, "force": False}


def _set_state(facts: Facts) -> Callable[[int], Call]:
    """Each worker thread takes a SCHEDULED run and moves it PENDING -> RUNNING -> COMPLETED
    (one request per transition, in order), then takes the next run."""
    local = threading.local()
    lock = threading.Lock()

    def call(i: int) -> Call:
        step = getattr(local, "step", len(STEPS))
        if step == len(STEPS):
            with lock:
                local.run = next(facts.scheduled)
            step = 0
        local.step = step + 1
        body = state_body(local.run, STEPS[step])
        path = f"/flow_runs/{local.run}/set_state"
        expected = STEPS[step]
        return Call("POST", path, encode(body), 201, lambda b: _accepted(b, expected))

    return call


def _accepted(body: Any, state_type: str) -> bool:
    return body.get("status") == "ACCEPT" and body["state"]["type"] == state_type


def scheduled_run_body(flow_id: str, n: int) -> dict[str, Any]:
    """A run created SCHEDULED for now, for set_state to drive (made before the round)."""
    return {
        "state": {
            "type": "SCHEDULED",
            "name": "Scheduled",
            "message": None,
            "state_details": {"scheduled_time": None, "traceparent": None},
            "data": None,
        },
        "name": f"bench-state-{n}-{uuid.uuid4().hex[:8]}",
        "flow_id": flow_id,
        "parameters": {},
        "context": {},
        "parent_task_run_id": None,
        "empirical_policy": {"retries": 0, "retry_delay": 0},
        "tags": ["bench:compare"],
    }


def _flow_query(sort: str, **given: Any) -> dict[str, Any]:
    return query(**given) | {"sort": sort, "limit": 200, "offset": 0}


FILTER = "/flow_runs/filter"
SHAPES: tuple[Shape, ...] = (
    Shape("read", "read", _read, run_fields, period=10),
    Shape(
        "filter team+state EXP_START_DESC",
        "filter",
        _flow_runs(
            FILTER,
            lambda f, i: _flow_query("EXPECTED_START_TIME_DESC", flow_runs=team_finished(i)),
        ),
        ids,
        period=10,
    ),
    Shape(
        "count team+state",
        "count",
        _flow_runs("/flow_runs/count", lambda f, i: query(flow_runs=team_finished(i))),
        lambda b: b,
        period=10,
    ),
    Shape(
        "count COMPLETED",
        "count",
        _flow_runs("/flow_runs/count", lambda f, i: query(flow_runs=COMPLETED_ONLY)),
        lambda b: b,
    ),
    Shape(
        "count all",
        "count",
        _flow_runs("/flow_runs/count", lambda f, i: query()),
        lambda b: b,
    ),
    *(
        Shape(
            f"paginate {label} {pages}",
            "paginate",
            _paginate(filters, (lambda i: 1 + i % 10) if pages == "p1-10" else (lambda i: 50)),
            page,
            period=10,
        )
        for label, filters in PAGINATE_FILTERS.items()
        for pages in ("p1-10", "p50")
    ),
    Shape("history 24 buckets", "history", _flow_runs("/flow_runs/history", _history), history),
    Shape(
        "by flow START_TIME_DESC",
        "filter",
        _flow_runs(
            FILTER,
            lambda f, i: _flow_query(
                "START_TIME_DESC", flows={"id": {"any_": [f.flow_ids[i % len(f.flow_ids)]]}}
            ),
        ),
        ids,
        period=10,
    ),
    Shape(
        "by deployment EXP_START_DESC",
        "filter",
        _flow_runs(
            FILTER,
            lambda f, i: _flow_query(
                "EXPECTED_START_TIME_DESC",
                deployments={"id": {"any_": [str(uuid.UUID(int=i % 10 + 1))]}},
            ),
        ),
        ids,
        period=10,
    ),
    Shape(
        "by name like_ NAME_ASC",
        "filter",
        _flow_runs(
            FILTER,
            lambda f, i: _flow_query(
                "NAME_ASC", flow_runs={"name": {"like_": NAME_FRAGMENTS[i % 10]}}
            ),
        ),
        ids,
        period=10,
    ),
    Shape("by start-time day START_TIME_DESC", "filter", _flow_runs(FILTER, _start_window), ids),
    Shape(
        "all ID_DESC",
        "filter",
        _flow_runs(FILTER, lambda f, i: _flow_query("ID_DESC")),
        ids,
    ),
    Shape(
        "by task-run state",
        "task_runs",
        _flow_runs(
            FILTER,
            lambda f, i: _flow_query(
                "EXPECTED_START_TIME_DESC", task_runs={"state": {"type": {"any_": ["FAILED"]}}}
            ),
        ),
        ids,
    ),
    Shape(
        "task_runs of a run",
        "task_runs",
        _flow_runs(
            "/task_runs/filter",
            lambda f, i: (
                query(flow_runs={"id": {"any_": [f.read_ids[i % len(f.read_ids)]]}})
                | {"sort": "EXPECTED_START_TIME_DESC", "limit": 200, "offset": 0}
            ),
        ),
        ids,
        period=10,
    ),
    Shape("create", "write", _create),
    Shape("set_state", "write", _set_state),
)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
