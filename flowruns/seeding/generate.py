"""Realistic flow runs as plain tuples, ready for COPY or executemany. No database here.

Every run gets a state history that ends in its current state (histories.py); the run's
denormalised columns are then computed from the stored part of that history with the
server's bookkeeping (bookkeeping.py), so the data looks as if the server had written it.
The rows of each table are built in flow_run_rows.py and child_rows.py.

All times are handled as integer microseconds since the epoch until the row is built, so
the sums and the uniqueness of (flow_run, timestamp) are exact.
"""

from __future__ import annotations

import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from itertools import accumulate

from .bookkeeping import bookkeeping
from .child_rows import add_logs, add_task_runs
from .draw import Draw
from .flow_run_rows import flow_run_row, flow_run_state_rows
from .histories import StateDealer, state_history
from .mix import LATE, SCHEDULED
from .rows import Batch, FlowSpec


class RunFactory:
    """Builds batches of runs. One instance per load; `rng` makes the output repeatable."""

    def __init__(
        self,
        *,
        flows: list[FlowSpec],
        now_us: int,
        states_per_run: int,
        task_runs_per_run: int,
        logs_per_run: int,
        rng: random.Random,
        total_runs: int,
    ) -> None:
        self.flows = flows
        self.now = now_us
        self.max_states = max(1, states_per_run)
        self.task_runs_per_run = task_runs_per_run
        self.logs_per_run = logs_per_run
        self.draw = Draw(rng)
        deployments = sum(len(flow.deployments) for flow in flows)
        self.dealer = StateDealer(self.draw, total_runs=total_runs, deployments=deployments)
        # Busy flows and quiet ones: flow i is picked with weight 1/(i+1).
        self.flow_cum = list(accumulate(1 / (i + 1) for i in range(len(flows))))

    def batches(self, runs: int, size: int, timings: dict[str, float]) -> Iterator[Batch]:
        return batched(self.add_run, runs, size, timings)

    def add_run(self, batch: Batch) -> None:
        draw = self.draw
        final = self.dealer.deal()
        flow = self.flows[bisect(self.flow_cum, draw.rand() * self.flow_cum[-1])]
        deployment = None
        if flow.deployments and (final in (SCHEDULED, LATE) or draw.rand() < 0.6):
            deployment = draw.pick(flow.deployments)
        history, pause_key = state_history(
            draw, final, scheduled=deployment is not None, now=self.now
        )
        run_id = draw.uuid4()
        stored = history[-self.max_states :]
        books = bookkeeping(stored)
        states = flow_run_state_rows(draw, run_id, stored, pause_key)
        batch.states.extend(states)
        batch.runs.append(
            flow_run_row(
                draw,
                run_id=run_id,
                flow=flow,
                deployment=deployment,
                history=history,
                current=stored[-1],
                state_id=states[-1][0],
                books=books,
                pause_key=pause_key,
            )
        )
        if books.start is None:
            return
        stop = books.end or stored[-1].at
        task_ids: list[str] = []
        if self.task_runs_per_run:
            task_ids = add_task_runs(
                batch,
                draw,
                count=self.task_runs_per_run,
                run_id=run_id,
                start=books.start,
                stop=stop,
                final=final,
                run_count=books.run_count,
            )
        if self.logs_per_run:
            add_logs(
                batch,
                draw,
                count=self.logs_per_run,
                run_id=run_id,
                task_ids=task_ids,
                start=books.start,
                stop=stop,
                flow_name=flow.name,
            )


def batched(
    add_run: Callable[[Batch], None], runs: int, size: int, timings: dict[str, float]
) -> Iterator[Batch]:
    """`runs` runs in batches of `size`; adds the time spent to timings["generate"]."""
    done = 0
    while done < runs:
        started = time.perf_counter()
        batch = Batch()
        for _ in range(min(size, runs - done)):
            add_run(batch)
        done += len(batch.runs)
        timings["generate"] = timings.get("generate", 0.0) + time.perf_counter() - started
        yield batch
