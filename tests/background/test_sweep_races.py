"""Real concurrent transactions on PostgreSQL: the late-run sweep against workers claiming the
same runs, and two sweeping processes at once.

A worker's PENDING proposal and the sweep's `Late` both move a run out of `Scheduled`. Whatever
the interleaving, the worker's claim is accepted exactly once and the run ends PENDING; the
sweep either marked the run Late *before* the claim (Late is still SCHEDULED, so the claim
proceeds from it) or found it claimed and left it (skipped under SKIP LOCKED, or re-checked
under the lock and no longer `Scheduled`). A Late state after the PENDING one, a lost claim, or
a failed sweep would each be a race.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from background.sweeps import late_runs
from flowruns.models import FlowRun, FlowRunState

from .helpers import iso, run_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS = 12
REPEATS = 5


def run_concurrently(work: list[Callable[[], Any]]) -> list[Any]:
    """Start every callable in its own thread at the same moment; return results or errors."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def due_runs(count: int) -> list[str]:
    scheduled = iso(datetime.now(UTC) - timedelta(minutes=1))
    state = {"type": "SCHEDULED", "state_details": {"scheduled_time": scheduled}}
    return [run_create(APIClient(), state) for _ in range(count)]


def claim(run_id: str, delay: float) -> str:
    time.sleep(delay)
    response = APIClient().post(
        f"/api/flow_runs/{run_id}/set_state", {"state": {"type": "PENDING"}}, format="json"
    )
    return str(response.json()["status"])


def history(run_id: str) -> list[tuple[str, str]]:
    states = FlowRunState.objects.filter(flow_run_id=run_id).order_by("timestamp")
    return [(state.type, state.name) for state in states]


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_the_late_sweep_and_a_workers_claim_never_both_move_a_run_out_of_scheduled(attempt):
    run_ids = due_runs(RUNS)
    # Claims spread over the sweep's pass, so some land before, during and after its turn.
    delays = random.Random(attempt).sample([i * 0.015 for i in range(RUNS)], RUNS)
    work: list[Callable[[], Any]] = [lambda: late_runs.sweep(timezone.now())]
    pairs = zip(run_ids, delays, strict=True)
    work += [lambda r=run_id, d=delay: claim(r, d) for run_id, delay in pairs]

    sweep, *claims = run_concurrently(work)

    assert not isinstance(sweep, Exception), sweep
    assert claims == ["ACCEPT"] * RUNS
    assert sweep.failed == 0
    marked = 0
    for run_id in run_ids:
        states = history(run_id)
        assert states in (
            [("SCHEDULED", "Scheduled"), ("PENDING", "Pending")],
            [("SCHEDULED", "Scheduled"), ("SCHEDULED", "Late"), ("PENDING", "Pending")],
        ), states
        marked += ("SCHEDULED", "Late") in states
    assert sweep.changed == marked


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_two_sweeping_processes_mark_each_run_late_once(attempt):
    run_ids = due_runs(RUNS)

    first, second = run_concurrently([lambda: late_runs.sweep(timezone.now())] * 2)

    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first.changed + second.changed == RUNS
    assert first.failed == second.failed == 0
    for run_id in run_ids:
        assert history(run_id) == [("SCHEDULED", "Scheduled"), ("SCHEDULED", "Late")]


def test_a_run_a_worker_holds_is_passed_over_not_waited_for():
    (run_id,) = due_runs(1)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with transaction.atomic():
            FlowRun.objects.select_for_update().get(pk=run_id)
            locked.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=lambda: run_concurrently([hold_the_lock]))
    holder.start()
    assert locked.wait(timeout=30)
    try:
        started = time.monotonic()
        busy = late_runs.sweep(timezone.now())
        took = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=30)

    assert (busy.examined, busy.changed, busy.failed) == (1, 0, 0)
    assert took < 5
    assert late_runs.sweep(timezone.now()).changed == 1
    assert history(run_id)[-1] == ("SCHEDULED", "Late")
