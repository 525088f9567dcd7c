"""Rows of `flow_run` and `flow_run_state` for one run, in rows.RUN_COLUMNS and
rows.STATE_COLUMNS order."""

from __future__ import annotations

import json
from datetime import datetime

from .bookkeeping import RunBookkeeping
from .draw import Draw
from .histories import Step
from .mix import HOUR, PAUSED, SCHEDULED, SECOND, TAG_GROUPS
from .rows import FLOW_DETAILS, FLOW_POLICY, PAUSED_DETAILS, DeploymentSpec, FlowSpec, iso, when


def flow_run_state_rows(
    draw: Draw, run_id: str, stored: list[Step], pause_key: str | None
) -> list[tuple]:
    rows = []
    for state_type, name, at, sched, message in stored:
        stamp = when(at)
        if state_type == PAUSED:
            details = PAUSED_DETAILS % {"run": run_id, "timeout": iso(at + HOUR), "key": pause_key}
        else:
            details = FLOW_DETAILS % {
                "run": run_id,
                "sched": f'"{iso(sched)}"' if sched is not None else "null",
            }
        state_id = draw.uuid7(at)
        rows.append(
            (state_id, stamp, stamp, state_type, stamp, name, message, details, None, run_id)
        )
    return rows


def flow_run_row(
    draw: Draw,
    *,
    run_id: str,
    flow: FlowSpec,
    deployment: DeploymentSpec | None,
    history: list[Step],
    current: Step,
    state_id: str,
    books: RunBookkeeping,
    pause_key: str | None,
) -> tuple:
    """`history` is the run's whole path; only its tail was stored, ending in `current`."""
    rand = draw.rand
    auto = deployment is not None and history[0].type == SCHEDULED and rand() < 0.7
    created = history[0].at - draw.between(200, 50_000)
    return (
        run_id,
        when(created),
        when(current.at),
        draw.run_name(),
        current.type,
        current.name,
        when(current.at),
        books.run_count,
        _when_or_none(books.expected_start),
        _when_or_none(books.next_scheduled_start),
        _when_or_none(books.start),
        _when_or_none(books.end),
        books.run_time / SECOND,
        _policy(pause_key, retried=books.run_count > 1),
        _tags(draw),
        _labels(flow, deployment),
        flow.id,
        deployment.id if deployment else None,
        deployment.version if deployment else None,
        deployment.work_queue_name if deployment else None,
        deployment.work_queue_id if deployment else None,
        flow.versions[0] if rand() < 0.8 else flow.versions[-1],
        draw.pick(flow.parameters),
        f"scheduled {deployment.id} {run_id}" if auto and deployment else None,
        "{}",
        None,
        f"worker-{int(rand() * 8)}:{draw.between(1000, 60000)}"
        if deployment is not None and books.start is not None
        else None,
        None,
        "{}",
        None,
        auto,
        state_id,
    )


def _when_or_none(us: int | None) -> datetime | None:
    return when(us) if us is not None else None


def _policy(pause_key: str | None, *, retried: bool) -> str:
    policy = FLOW_POLICY
    if pause_key is not None:
        policy = policy.replace('"pause_keys": []', f'"pause_keys": ["{pause_key}"]')
    if retried:
        policy = policy.replace('"retries": null', '"retries": 2').replace(
            '"retry_type": null', '"retry_type": "in_process"'
        )
    return policy


def _tags(draw: Draw) -> str:
    """0-3 tags: at most one from each of mix.TAG_GROUPS."""
    tags = []
    for group in TAG_GROUPS:
        roll = draw.rand()
        for tag, probability in group:
            if roll < probability:
                tags.append(tag)
                break
            roll -= probability
    return json.dumps(tags)


def _labels(flow: FlowSpec, deployment: DeploymentSpec | None) -> str:
    labels = f'{{"prefect.flow.id": "{flow.id}"'
    if deployment is not None:
        labels += f', "prefect.deployment.id": "{deployment.id}"'
    return labels + "}"
