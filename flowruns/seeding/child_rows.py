"""What a started run leaves behind besides its own rows: task runs (each with its states)
and log lines, spread over the time the run was running."""

from __future__ import annotations

from .draw import Draw
from .mix import (
    CANCELLING,
    COMPLETED,
    CRASHED,
    FAILED,
    LOG_LINES,
    PAUSED,
    PENDING,
    RUNNING,
    SECOND,
    TASK_NAMES,
)
from .rows import TASK_DETAILS, TASK_POLICY, Batch, when


def add_task_runs(
    batch: Batch,
    draw: Draw,
    *,
    count: int,
    run_id: str,
    start: int,
    stop: int,
    final: str,
    run_count: int,
) -> list[str]:
    """`count` task runs one after another between `start` and `stop`; the last one ends as
    the flow run did (still running, or failed). Returns their ids."""
    slot = max((stop - start) // count, 3000)
    ids = []
    for i in range(count):
        task_id = draw.uuid4()
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
            state_id = draw.uuid7(ts)
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


def add_logs(
    batch: Batch,
    draw: Draw,
    *,
    count: int,
    run_id: str,
    task_ids: list[str],
    start: int,
    stop: int,
    flow_name: str,
) -> None:
    """`count` log lines between `start` and `stop`, about half of them from a task run."""
    rand = draw.rand
    step = max((stop - start) // count, 1)
    for i in range(count):
        ts = start + i * step + int(rand() * step)
        level, line = LOG_LINES[0] if i == 0 else draw.pick(LOG_LINES)
        task_id = draw.pick(task_ids) if task_ids and rand() < 0.5 else None
        stamp = when(ts + 3000)
        batch.logs.append(
            (
                draw.uuid7(ts),
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
