"""A run's denormalised columns, computed from the state rows actually stored for it with the
server's bookkeeping rules (spec/api.md §8.2), so seeded runs look as if the server wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orchestration.states import TERMINAL_TYPES

from .histories import Step
from .mix import RUNNING, SCHEDULED


@dataclass(frozen=True, slots=True)
class RunBookkeeping:
    """Times in µs since the epoch; `run_time` is the µs spent RUNNING."""

    run_count: int
    start: int | None
    end: int | None
    expected_start: int | None
    next_scheduled_start: int | None
    run_time: int


def bookkeeping(stored: Sequence[Step]) -> RunBookkeeping:
    run_count = 0
    start = end = expected = next_sched = None
    total = 0
    prev_type: str | None = None
    prev_at = 0
    for state_type, _, at, sched, _ in stored:
        if expected is None:
            expected = sched if state_type == SCHEDULED else at
        if prev_type == RUNNING:
            total += at - prev_at
        if state_type == RUNNING:
            run_count += 1
            if start is None:
                start = at
        if prev_type in TERMINAL_TYPES and state_type not in TERMINAL_TYPES:
            end = None
        if state_type in TERMINAL_TYPES and end is None:
            end = at
            if start is None:
                start = at
        if state_type == SCHEDULED:
            next_sched = sched
        elif prev_type == SCHEDULED:
            next_sched = None
        prev_type, prev_at = state_type, at
    return RunBookkeeping(run_count, start, end, expected, next_sched, total)
