"""Scenario (e): one flow with several kinds of task, run in-process by the real client.

Usage: tasks.py NONCE. The flow `compat-several-tasks-NONCE` runs, in this order:
* `retried` (`retries=1`): fails on its first attempt, completes on its retry;
* `retried_later` (`retries=1, retry_delay_seconds=1`): the same, after waiting in AwaitingRetry;
* `tagged` (`tags=["db"]`): completes;
* `broken`: fails every time; the flow takes its state (`return_state=True`) and carries on;
* `plain`: completes, with `tagged`'s result as its input (an edge in the run's graph).

Prints one COMPAT-RESULT line: the flow run's id and final state, and for each task the id of
its task run, the final state and the result (or the error) as the client saw them.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from _common import emit
from prefect import flow, task
from prefect.states import State

NONCE = sys.argv[1]
attempts: Counter[str] = Counter()


@task(retries=1)
def retried() -> str:
    attempts["retried"] += 1
    if attempts["retried"] == 1:
        raise ValueError("the first attempt fails")
    return "recovered"


@task(retries=1, retry_delay_seconds=1)
def retried_later() -> str:
    attempts["retried_later"] += 1
    if attempts["retried_later"] == 1:
        raise ValueError("the first attempt fails")
    return "recovered later"


@task(tags=["db"])
def tagged() -> int:
    return 20


@task
def broken() -> None:
    raise RuntimeError("broken on purpose")


@task
def plain(x: int) -> int:
    return x + 1


def seen(state: State[Any]) -> dict[str, Any]:
    value = state.result(raise_on_failure=False)
    if isinstance(value, BaseException):
        value = {"error": type(value).__name__, "message": str(value)}
    return {
        "task_run_id": str(state.state_details.task_run_id),
        "type": state.type.value,
        "name": state.name,
        "result": value,
    }


@flow(name=f"compat-several-tasks-{NONCE}")
def several_tasks() -> dict[str, Any]:
    states = {
        "retried": retried(return_state=True),
        "retried_later": retried_later(return_state=True),
        "tagged": tagged(return_state=True),
    }
    states["broken"] = broken(return_state=True)
    states["plain"] = plain(states["tagged"], return_state=True)  # its result, as input
    return {key: seen(state) for key, state in states.items()}


def main() -> None:
    state = several_tasks(return_state=True)
    emit(
        {
            "flow_run_id": str(state.state_details.flow_run_id),
            "type": state.type.value,
            "tasks": state.result(),
            "attempts": dict(attempts),
        }
    )


if __name__ == "__main__":
    main()
