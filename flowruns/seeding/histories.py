"""Which state each seeded run is in now, and the path of states (with times) that led
there, as the server would have written it."""

from __future__ import annotations

from bisect import bisect
from itertools import accumulate
from typing import NamedTuple

from orchestration.states import TERMINAL_TYPES

from .draw import Draw
from .mix import (
    CANCELLED,
    CANCELLING,
    COMPLETED,
    CRASHED,
    CRASHES,
    DAY,
    FAILED,
    FAILURES,
    FINISHED_MIX,
    HISTORY_SPAN,
    HOUR,
    LATE,
    LIVE_MIX,
    MINUTE,
    PAUSED,
    PENDING,
    RUNNING,
    SCHEDULED,
    SECOND,
)


class Step(NamedTuple):
    """One state of a run's history; times are integer µs since the epoch."""

    type: str
    name: str
    at: int
    scheduled: int | None
    message: str | None


class StateDealer:
    """Deals out the current states of a load. Live states go to exactly their share of the
    runs (capped per deployment, see mix.LIVE_MIX), spread evenly over the load; every other
    run gets a finished state, by weight."""

    def __init__(self, draw: Draw, *, total_runs: int, deployments: int) -> None:
        self.rand = draw.rand
        self.runs_left = total_runs
        self.live = [kind for kind, _, _ in LIVE_MIX]
        self.live_left = [
            min(round(share * total_runs), cap * deployments) for _, share, cap in LIVE_MIX
        ]
        self.finished = [kind for kind, _ in FINISHED_MIX]
        self.finished_cum = list(accumulate(weight for _, weight in FINISHED_MIX))

    def deal(self) -> str:
        roll = self.rand() * max(self.runs_left, 1)
        self.runs_left -= 1
        for i, left in enumerate(self.live_left):
            if roll < left:
                self.live_left[i] -= 1
                return self.live[i]
            roll -= left
        cum = self.finished_cum
        return self.finished[min(bisect(cum, self.rand() * cum[-1]), len(cum) - 1)]


def state_history(
    draw: Draw, final: str, *, scheduled: bool, now: int
) -> tuple[list[Step], str | None]:
    """The full path to `final` in absolute time, and the pause key if it ends PAUSED."""
    rand, between = draw.rand, draw.between
    path: list[Step] = []
    pause_key = None
    if final in (SCHEDULED, LATE):
        late = final == LATE
        sched = now - between(MINUTE, 2 * DAY) if late else now + between(MINUTE, 7 * DAY)
        created = min(sched, now) - between(MINUTE, DAY)
        path.append(Step(SCHEDULED, "Scheduled", created, sched, None))
        if late:
            marked = min(sched + between(15 * SECOND, 5 * MINUTE), now - SECOND)
            path.append(Step(SCHEDULED, "Late", max(marked, created + SECOND), sched, None))
        return path, None

    # Relative times first (the expected start is 0), shifted into place at the end.
    t = 0
    if scheduled and rand() < 0.9:
        path.append(Step(SCHEDULED, "Scheduled", -between(MINUTE, DAY), 0, None))
        if final == CANCELLED and rand() < 0.3:
            path.append(Step(CANCELLED, "Cancelled", between(-MINUTE, 0), None, None))
            return _place(draw, path, final, now), None
        t = int(rand() ** 4 * 120 * SECOND) + 1000  # mostly on time, sometimes late
    path.append(Step(PENDING, "Pending", t, None, None))
    if final != PENDING:
        t += between(SECOND // 2, 15 * SECOND)
        path.append(Step(RUNNING, "Running", t, None, None))
        if final in (COMPLETED, FAILED) and rand() < 0.08:
            t += _duration(draw)
            retry_at = t + 10 * SECOND
            path.append(Step(SCHEDULED, "AwaitingRetry", t, retry_at, FAILURES[0]))
            t = retry_at + between(1000, SECOND)
            path.append(Step(RUNNING, "Retrying", t, None, None))
        if final == CANCELLED:
            t += _duration(draw)
            path.append(Step(CANCELLING, "Cancelling", t, None, None))
            t += between(SECOND, 30 * SECOND)
            path.append(Step(CANCELLED, "Cancelled", t, None, None))
        elif final == PAUSED:
            t += _duration(draw)
            pause_key = draw.uuid4()
            path.append(Step(PAUSED, "Paused", t, None, None))
        elif final != RUNNING:
            t += _duration(draw)
            message = None
            if final == FAILED:
                message = draw.pick(FAILURES)
            elif final == CRASHED:
                message = draw.pick(CRASHES)
            path.append(Step(final, final.capitalize(), t, None, message))
    return _place(draw, path, final, now), pause_key


def _duration(draw: Draw) -> int:
    """Mostly a minute or so, with a long tail up to four hours."""
    return min(int(draw.rng.lognormvariate(4.1, 1.2) * SECOND) + 1000, 4 * HOUR)


def _place(draw: Draw, path: list[Step], final: str, now: int) -> list[Step]:
    """Shift a relative path so that it ends where a run in `final` would be by now."""
    between = draw.between
    if final in TERMINAL_TYPES:
        end = now - between(5 * SECOND, HISTORY_SPAN)
    elif final == PAUSED:
        end = now - between(SECOND, 50 * MINUTE)
    elif final == RUNNING:
        end = now - between(SECOND, 2 * HOUR)
    else:  # PENDING, CANCELLING: moments ago
        end = now - between(SECOND, 10 * MINUTE)
    shift = end - path[-1].at
    return [
        Step(kind, name, at + shift, sched + shift if sched is not None else None, message)
        for kind, name, at, sched, message in path
    ]
