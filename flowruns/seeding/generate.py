"""Realistic flow runs as plain tuples, ready for COPY or executemany. No database here.

Every run gets a state history that ends in its current state; the run's denormalised
columns (state_type/name/timestamp, start/end/expected/next-scheduled times, run_count,
total_run_time) are then computed from the stored history with the same bookkeeping the
server applies (spec/api.md §8.2), so the data looks as if the server had written it.

All times are handled as integer microseconds since the epoch until the row is built, so
the sums and the uniqueness of (flow_run, timestamp) are exact.
"""

from __future__ import annotations

import json
import random
import time
from bisect import bisect
from collections.abc import Iterator
from itertools import accumulate

from flowruns.naming import run_names_from

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
    LOG_LINES,
    MINUTE,
    PAUSED,
    PENDING,
    RUNNING,
    SCHEDULED,
    SECOND,
    TAG_GROUPS,
    TASK_NAMES,
    TERMINAL,
)
from .rows import (
    FLOW_DETAILS,
    FLOW_POLICY,
    PAUSED_DETAILS,
    TASK_DETAILS,
    TASK_POLICY,
    UUID4_CLEAR,
    UUID4_SET,
    UUID7_CLEAR,
    UUID7_SET,
    Batch,
    FlowSpec,
    iso,
    when,
)


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
        self.rng = rng
        self.rand = rng.random
        self.bits = rng.getrandbits
        self.run_name = run_names_from(rng)
        deployments = sum(len(flow.deployments) for flow in flows)
        # Live states are dealt out so that exactly `left` of the `total_runs` get each one,
        # spread evenly over the load.
        self.runs_left = total_runs
        self.live = [kind for kind, _, _ in LIVE_MIX]
        self.live_left = [
            min(round(share * total_runs), cap * deployments) for _, share, cap in LIVE_MIX
        ]
        self.finished = [kind for kind, _ in FINISHED_MIX]
        self.finished_cum = list(accumulate(weight for _, weight in FINISHED_MIX))
        # Busy flows and quiet ones: flow i is picked with weight 1/(i+1).
        self.flow_cum = list(accumulate(1 / (i + 1) for i in range(len(flows))))

    # ---- ids (canonical strings: PostgreSQL takes them as they are, JSON needs them) --------
    def uuid4(self) -> str:
        h = f"{self.bits(128) & UUID4_CLEAR | UUID4_SET:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def uuid7(self, us: int) -> str:
        """Time-ordered, like the ids the server gives states and logs."""
        h = f"{(us // 1000) << 80 | self.bits(80) & UUID7_CLEAR | UUID7_SET:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def between(self, low: int, high: int) -> int:
        return low + int(self.rand() * (high - low))

    def batches(self, runs: int, size: int, timings: dict[str, float]) -> Iterator[Batch]:
        """`runs` runs in batches of `size`; adds the time spent to timings["generate"]."""
        done = 0
        while done < runs:
            started = time.perf_counter()
            batch = Batch()
            for _ in range(min(size, runs - done)):
                self.add_run(batch)
            done += len(batch.runs)
            timings["generate"] = timings.get("generate", 0.0) + time.perf_counter() - started
            yield batch

    # ---- one run ---------------------------------------------------------------------------
    def add_run(self, batch: Batch) -> None:
        rand = self.rand
        final = self._deal_state()
        flow = self.flows[bisect(self.flow_cum, rand() * self.flow_cum[-1])]
        deployment = None
        if flow.deployments and (final in (SCHEDULED, LATE) or rand() < 0.6):
            deployment = flow.deployments[int(rand() * len(flow.deployments))]
        history, pause_key = self._history(final, scheduled=deployment is not None)
        run_id = self.uuid4()
        kept = history[-self.max_states :]

        # Bookkeeping over the stored history, as the server would have done it.
        run_count = 0
        start = end = expected = next_sched = None
        total = 0
        prev_type = prev_ts = None
        state_id = None
        for state_type, name, ts, sched, message in kept:
            if expected is None:
                expected = sched if state_type == SCHEDULED else ts
            if prev_type == RUNNING:
                total += ts - prev_ts
            if state_type == RUNNING:
                run_count += 1
                if start is None:
                    start = ts
            if prev_type in TERMINAL and state_type not in TERMINAL:
                end = None
            if state_type in TERMINAL and end is None:
                end = ts
                if start is None:
                    start = ts
            if state_type == SCHEDULED:
                next_sched = sched
            elif prev_type == SCHEDULED:
                next_sched = None
            prev_type, prev_ts = state_type, ts
            state_id = self.uuid7(ts)
            stamp = when(ts)
            if state_type == PAUSED:
                details = PAUSED_DETAILS % {
                    "run": run_id,
                    "timeout": iso(ts + HOUR),
                    "key": pause_key,
                }
            else:
                details = FLOW_DETAILS % {
                    "run": run_id,
                    "sched": f'"{iso(sched)}"' if sched is not None else "null",
                }
            batch.states.append(
                (state_id, stamp, stamp, state_type, stamp, name, message, details, None, run_id)
            )

        state_type, state_name, last_ts = kept[-1][0], kept[-1][1], kept[-1][2]
        auto = deployment is not None and history[0][0] == SCHEDULED and rand() < 0.7
        policy = FLOW_POLICY
        if pause_key is not None:
            policy = policy.replace('"pause_keys": []', f'"pause_keys": ["{pause_key}"]')
        if run_count > 1:
            policy = policy.replace('"retries": null', '"retries": 2').replace(
                '"retry_type": null', '"retry_type": "in_process"'
            )
        labels = f'{{"prefect.flow.id": "{flow.id}"'
        if deployment is not None:
            labels += f', "prefect.deployment.id": "{deployment.id}"'
        created = history[0][2] - self.between(200, 50_000)
        batch.runs.append(
            (
                run_id,
                when(created),
                when(last_ts),
                self.run_name(),
                state_type,
                state_name,
                when(last_ts),
                run_count,
                when(expected) if expected is not None else None,
                when(next_sched) if next_sched is not None else None,
                when(start) if start is not None else None,
                when(end) if end is not None else None,
                total / SECOND,
                policy,
                self._tags(),
                labels + "}",
                flow.id,
                deployment.id if deployment else None,
                deployment.version if deployment else None,
                deployment.work_queue_name if deployment else None,
                deployment.work_queue_id if deployment else None,
                flow.versions[0] if rand() < 0.8 else flow.versions[-1],
                flow.parameters[int(rand() * len(flow.parameters))],
                f"scheduled {deployment.id} {run_id}" if auto and deployment else None,
                "{}",
                None,
                f"worker-{int(rand() * 8)}:{self.between(1000, 60000)}"
                if deployment is not None and start is not None
                else None,
                None,
                "{}",
                None,
                auto,
                state_id,
            )
        )
        if start is not None and self.task_runs_per_run:
            task_ids = self._task_runs(batch, run_id, start, end or last_ts, final, run_count)
        else:
            task_ids = []
        if start is not None and self.logs_per_run:
            self._logs(batch, run_id, task_ids, start, end or last_ts, flow.name)

    def _deal_state(self) -> str:
        roll = self.rand() * max(self.runs_left, 1)
        self.runs_left -= 1
        for i, left in enumerate(self.live_left):
            if roll < left:
                self.live_left[i] -= 1
                return self.live[i]
            roll -= left
        cum = self.finished_cum
        return self.finished[min(bisect(cum, self.rand() * cum[-1]), len(cum) - 1)]

    def _tags(self) -> str:
        rand = self.rand
        tags = []
        for group in TAG_GROUPS:
            roll = rand()
            for tag, probability in group:
                if roll < probability:
                    tags.append(tag)
                    break
                roll -= probability
        return json.dumps(tags)

    def _history(self, final: str, *, scheduled: bool) -> tuple[list[tuple], str | None]:
        """The full state path (type, name, µs, scheduled µs, message), in absolute time."""
        rand, between = self.rand, self.between
        path: list[tuple] = []
        pause_key = None
        if final in (SCHEDULED, LATE):
            now = self.now
            late = final == LATE
            sched = now - between(MINUTE, 2 * DAY) if late else now + between(MINUTE, 7 * DAY)
            created = min(sched, now) - between(MINUTE, DAY)
            path.append((SCHEDULED, "Scheduled", created, sched, None))
            if late:
                marked = min(sched + between(15 * SECOND, 5 * MINUTE), now - SECOND)
                path.append((SCHEDULED, "Late", max(marked, created + SECOND), sched, None))
            return path, None

        # Relative times first (the expected start is 0), shifted into place at the end.
        t = 0
        if scheduled and rand() < 0.9:
            path.append((SCHEDULED, "Scheduled", -between(MINUTE, DAY), 0, None))
            if final == CANCELLED and rand() < 0.3:
                path.append((CANCELLED, "Cancelled", between(-MINUTE, 0), None, None))
                return self._place(path, final), None
            t = int(rand() ** 4 * 120 * SECOND) + 1000  # mostly on time, sometimes late
        path.append((PENDING, "Pending", t, None, None))
        if final != PENDING:
            t += between(SECOND // 2, 15 * SECOND)
            path.append((RUNNING, "Running", t, None, None))
            if final in (COMPLETED, FAILED) and rand() < 0.08:
                t += self._duration()
                retry_at = t + 10 * SECOND
                path.append((SCHEDULED, "AwaitingRetry", t, retry_at, FAILURES[0]))
                t = retry_at + between(1000, SECOND)
                path.append((RUNNING, "Retrying", t, None, None))
            if final == CANCELLED:
                t += self._duration()
                path.append((CANCELLING, "Cancelling", t, None, None))
                t += between(SECOND, 30 * SECOND)
                path.append((CANCELLED, "Cancelled", t, None, None))
            elif final == PAUSED:
                t += self._duration()
                pause_key = self.uuid4()
                path.append((PAUSED, "Paused", t, None, None))
            elif final != RUNNING:
                t += self._duration()
                message = None
                if final == FAILED:
                    message = FAILURES[int(rand() * len(FAILURES))]
                elif final == CRASHED:
                    message = CRASHES[int(rand() * len(CRASHES))]
                path.append((final, final.capitalize(), t, None, message))
        return self._place(path, final), pause_key

    def _duration(self) -> int:
        """Mostly a minute or so, with a long tail up to four hours."""
        return min(int(self.rng.lognormvariate(4.1, 1.2) * SECOND) + 1000, 4 * HOUR)

    def _place(self, path: list[tuple], final: str) -> list[tuple]:
        between = self.between
        last = path[-1][2]
        if final in TERMINAL:
            end = self.now - between(5 * SECOND, HISTORY_SPAN)
        elif final == PAUSED:
            end = self.now - between(SECOND, 50 * MINUTE)
        elif final == RUNNING:
            end = self.now - between(SECOND, 2 * HOUR)
        else:  # PENDING, CANCELLING: moments ago
            end = self.now - between(SECOND, 10 * MINUTE)
        shift = end - last
        return [
            (kind, name, ts + shift, sched + shift if sched is not None else None, message)
            for kind, name, ts, sched, message in path
        ]

    def _task_runs(
        self,
        batch: Batch,
        run_id: str,
        start: int,
        stop: int,
        final: str,
        run_count: int,
    ) -> list[str]:
        count = self.task_runs_per_run
        slot = max((stop - start) // count, 3000)
        ids = []
        for i in range(count):
            task_id = self.uuid4()
            ids.append(task_id)
            t0 = start + i * slot + 1000
            last = i == count - 1
            if last and final in (RUNNING, PAUSED, CANCELLING):
                end_type = None
            elif last and final in (FAILED, CRASHED):
                end_type = FAILED
            else:
                end_type = COMPLETED
            path = [(PENDING, "Pending", t0), (RUNNING, "Running", t0 + 500)]
            if end_type is not None:
                path.append((end_type, end_type.capitalize(), t0 + max(slot * 4 // 5, 1000)))
            details = TASK_DETAILS % {"run": run_id, "task": task_id}
            state_id = None
            for kind, name, ts in path:
                state_id = self.uuid7(ts)
                stamp = when(ts)
                batch.task_states.append(
                    (state_id, stamp, stamp, kind, stamp, name, None, details, None, task_id)
                )
            kind, name, ts = path[-1]
            task = TASK_NAMES[i % len(TASK_NAMES)]
            batch.task_runs.append(
                (
                    task_id,
                    when(t0 - 200),
                    when(ts),
                    f"{task}-{i}",
                    kind,
                    name,
                    when(ts),
                    1,
                    when(t0),
                    None,
                    when(t0 + 500),
                    when(ts) if end_type is not None else None,
                    (ts - t0 - 500) / SECOND if end_type is not None else 0.0,
                    TASK_POLICY,
                    "[]",
                    "{}",
                    run_id,
                    f"{task}-{i:04x}",
                    "0",
                    None,
                    None,
                    None,
                    run_count,
                    "{}",
                    state_id,
                )
            )
        return ids

    def _logs(
        self,
        batch: Batch,
        run_id: str,
        task_ids: list[str],
        start: int,
        stop: int,
        flow_name: str,
    ) -> None:
        rand = self.rand
        count = self.logs_per_run
        step = max((stop - start) // count, 1)
        for i in range(count):
            ts = start + i * step + int(rand() * step)
            level, line = LOG_LINES[0] if i == 0 else LOG_LINES[int(rand() * len(LOG_LINES))]
            task_id = task_ids[int(rand() * len(task_ids))] if task_ids and rand() < 0.5 else None
            stamp = when(ts + 3000)
            batch.logs.append(
                (
                    self.uuid7(ts),
                    stamp,
                    stamp,
                    "prefect.task_runs" if task_id else "prefect.flow_runs",
                    level,
                    run_id,
                    task_id,
                    line.format(name=str(run_id)[:8], flow=flow_name, n=i + 1),
                    when(ts),
                )
            )
