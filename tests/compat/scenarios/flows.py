"""Scenario (a): real `@flow`s and `@task`s run in-process against the server.

Usage: flows.py NONCE. Prints one COMPAT-RESULT line: for each flow, the run id and the final
state the client saw, and the result (or the error) it returned.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from typing import Any

from _common import emit
from prefect import flow, get_run_logger, task
from prefect.flow_runs import pause_flow_run
from prefect.states import State

NONCE = sys.argv[1]
LOG_LINES = 250
attempts: Counter[str] = Counter()


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def double(x: int) -> int:
    return 2 * x


@flow(name="compat-two-tasks")
def two_tasks() -> int:
    return double(add(1, 1))


@flow(name="compat-flaky", retries=1)
def flaky() -> str:
    attempts["flaky"] += 1
    if attempts["flaky"] == 1:
        raise ValueError("the first attempt fails")
    return "recovered"


@flow(name="compat-flaky-delay", retries=1, retry_delay_seconds=2)
def flaky_delay() -> str:
    attempts["flaky-delay"] += 1
    if attempts["flaky-delay"] == 1:
        raise ValueError("the first attempt fails")
    return "recovered late"


@flow(name="compat-doomed", retries=1)
def doomed() -> None:
    attempts["doomed"] += 1
    raise ValueError(f"attempt {attempts['doomed']} fails too")


@flow(name="compat-child")
def child(x: int) -> int:
    return x + 1


@flow(name="compat-parent")
def parent() -> int:
    return child(5) + 7


@task(tags=["compat-db"])
def tagged_work() -> str:
    return "tagged done"


@flow(name="compat-tagged")
def tagged() -> str:
    return tagged_work()


@flow(name="compat-named", flow_run_name="compat-run-{x}-{nonce}")
def named(x: int, nonce: str) -> int:
    return x * 6


@flow(name="compat-pause-timeout")
def pause_times_out() -> str:
    pause_flow_run(timeout=2, poll_interval=1)
    return "never resumed, never here"


@flow(name="compat-many-logs")
def many_logs() -> int:
    logger = get_run_logger()
    for i in range(LOG_LINES):
        logger.info("compat log line %03d", i)
    return LOG_LINES


@task
async def async_increment(x: int) -> int:
    await asyncio.sleep(0)
    return x + 1


@flow(name="compat-async")
async def async_flow() -> int:
    return await async_increment(41)


def outcome(state: State[Any]) -> dict[str, Any]:
    value = state.result(raise_on_failure=False)
    if isinstance(value, BaseException):
        value = {"error": type(value).__name__, "message": str(value)}
    return {
        "flow_run_id": str(state.state_details.flow_run_id),
        "type": state.type.value,
        "name": state.name,
        "result": value,
    }


def main() -> None:
    runs = {
        "two_tasks": lambda: two_tasks(return_state=True),
        "flaky": lambda: flaky(return_state=True),
        "flaky_delay": lambda: flaky_delay(return_state=True),
        "doomed": lambda: doomed(return_state=True),
        "parent": lambda: parent(return_state=True),
        "tagged": lambda: tagged(return_state=True),
        "named": lambda: named(x=7, nonce=NONCE, return_state=True),
        "pause_timeout": lambda: pause_times_out(return_state=True),
        "many_logs": lambda: many_logs(return_state=True),
        "async": lambda: asyncio.run(async_flow(return_state=True)),
    }
    only = set(sys.argv[2:])
    results: dict[str, Any] = {}
    for key, run in runs.items():
        if only and key not in only:
            continue
        try:
            results[key] = outcome(run())
        except Exception as exc:  # a flow call that raises instead of returning a state
            results[key] = {"raised": type(exc).__name__, "message": str(exc)}
    results["attempts"] = dict(attempts)
    emit(results)


if __name__ == "__main__":
    main()
