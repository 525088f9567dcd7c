"""The reference workload of the Prefect comparison (`seed_flow_runs --profile reference`):
the rows /work/shared/bench/seed_prefect_flow_runs.sql writes into Prefect's database, made
for ours. No database here.

Per run: one `flow_run` row and ONE `flow_run_state` row (its current state, no history).
* state: mix.REFERENCE_MIX, exact counts dealt in random order;
* expected start: uniform over the 30 days before `anchor`; SCHEDULED runs uniform over
  [now + 1 h, now + 1 h + 7 d]; CANCELLED runs over the 30 days before anchor - 2 days;
* start = expected start + U(0, 60 s) unless SCHEDULED or PENDING; terminal runs end
  10-600 s later; created U(0, 1 h) before the expected start (SCHEDULED: U(0, 1 d) before
  now); the state's timestamp is the end, else the start, else the creation;
* tags `["team-<0..9>", "env:prod"|"env:dev"]` (+ `"priority:high"` on 30%), uniform flow.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence

from orchestration.states import TERMINAL_TYPES

from .draw import Draw
from .generate import batched
from .mix import (
    CANCELLED,
    DAY,
    HOUR,
    MINUTE,
    PENDING,
    REFERENCE_HIGH_SHARE,
    REFERENCE_MIX,
    REFERENCE_PROD_SHARE,
    REFERENCE_TEAMS,
    SCHEDULED,
    SECOND,
)
from .rows import FLOW_DETAILS, FLOW_POLICY, Batch, FlowSpec, iso, when


def exact_counts(mix: Sequence[tuple[str, float]], total: int) -> list[int]:
    """Shares of `total`, rounded so that they add up to it (largest remainder first)."""
    weight = sum(share for _, share in mix)
    raw = [share / weight * total for _, share in mix]
    counts = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class ExactDealer:
    """Deals exactly `exact_counts(mix, total)` of each kind, in random order (drawing
    without replacement); past `total` it keeps dealing by weight."""

    def __init__(self, draw: Draw, mix: Sequence[tuple[str, float]], total: int) -> None:
        self.rand = draw.rand
        self.kinds = [kind for kind, _ in mix]
        self.left = exact_counts(mix, total)
        self.runs_left = total
        self.weights = exact_counts(mix, 1_000_000)

    def deal(self) -> str:
        pool = self.left if self.runs_left > 0 else self.weights
        roll = self.rand() * sum(pool)
        self.runs_left -= 1
        chosen = max(i for i, left in enumerate(pool) if left)  # if rounding ends the roll
        for i, left in enumerate(pool):
            if roll < left:
                chosen = i
                break
            roll -= left
        if pool is self.left:
            self.left[chosen] -= 1
        return self.kinds[chosen]


class ReferenceRunFactory:
    """Builds batches of reference runs; `rng` makes the output repeatable."""

    def __init__(
        self,
        *,
        flows: list[FlowSpec],
        now_us: int,
        anchor_us: int,
        rng: random.Random,
        total_runs: int,
    ) -> None:
        self.flows = flows
        self.now = now_us
        self.anchor = anchor_us
        self.draw = Draw(rng)
        self.dealer = ExactDealer(self.draw, REFERENCE_MIX, total_runs)
        self.labels = [json.dumps({"prefect.flow.id": str(flow.id)}) for flow in flows]

    def batches(self, runs: int, size: int, timings: dict[str, float]) -> Iterator[Batch]:
        return batched(self.add_run, runs, size, timings)

    def add_run(self, batch: Batch) -> None:
        draw = self.draw
        rand = draw.rand
        state_type = self.dealer.deal()
        if state_type == SCHEDULED:
            expected = self.now + HOUR + int(rand() * 7 * DAY)
            created = self.now - int(rand() * DAY)
        else:
            window_end = self.anchor - 2 * DAY if state_type == CANCELLED else self.anchor
            expected = window_end - int(rand() * 30 * DAY)
            created = expected - int(rand() * HOUR)
        start = end = None
        if state_type not in (SCHEDULED, PENDING):
            start = expected + int(rand() * MINUTE)
            if state_type in TERMINAL_TYPES:
                end = start + 10 * SECOND + int(rand() * 590 * SECOND)
        at = end if end is not None else start if start is not None else created
        flow_k = int(rand() * len(self.flows))
        run_id = draw.uuid4()
        state_id = draw.uuid7(at)
        stamp = when(at)
        name = state_type.capitalize()
        details = FLOW_DETAILS % {
            "run": run_id,
            "sched": f'"{iso(expected)}"' if state_type == SCHEDULED else "null",
        }
        batch.states.append(
            (state_id, stamp, stamp, state_type, stamp, name, None, details, None, run_id)
        )
        batch.runs.append(
            (
                run_id,
                when(created),
                stamp,
                f"seed-{draw.rng.getrandbits(48):012x}",
                state_type,
                name,
                stamp,
                0 if start is None else 1,
                when(expected),
                when(expected) if state_type == SCHEDULED else None,
                None if start is None else when(start),
                None if end is None else when(end),
                0.0 if end is None or start is None else (end - start) / SECOND,
                FLOW_POLICY,
                _tags(rand),
                self.labels[flow_k],
                self.flows[flow_k].id,
                None,  # deployment_id
                None,  # deployment_version
                None,  # work_queue_name
                None,  # work_queue_id
                None,  # flow_version
                "{}",  # parameters
                None,  # idempotency_key
                "{}",  # context
                None,  # created_by
                None,  # infrastructure_pid
                None,  # infrastructure_document_id
                "{}",  # job_variables
                None,  # parent_task_run_id
                False,  # auto_scheduled
                state_id,
            )
        )


def _tags(rand: Callable[[], float]) -> str:
    tags = [REFERENCE_TEAMS[int(rand() * len(REFERENCE_TEAMS))]]
    tags.append("env:prod" if rand() < REFERENCE_PROD_SHARE else "env:dev")
    if rand() < REFERENCE_HIGH_SHARE:
        tags.append("priority:high")
    return json.dumps(tags)
