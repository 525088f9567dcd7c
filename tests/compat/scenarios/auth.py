"""Scenario: a two-task flow against a server with authentication on.

Usage: auth.py NONCE. Whatever credential the environment gives the client
(`PREFECT_API_AUTH_STRING`, `PREFECT_API_KEY`, or none) is used as the client uses it.
Prints one COMPAT-RESULT line: the flow run's id and final state type and the tasks' results,
or, when the flow call raised, the error as the client saw it.
"""

from __future__ import annotations

import sys

from _common import describe, emit
from prefect import flow, task
from prefect.runtime import flow_run

NONCE = sys.argv[1]


@task
def double(x: int) -> int:
    return 2 * x


@task
def add(x: int, y: int) -> int:
    return x + y


@flow(name=f"compat-auth-{NONCE}")
def guarded() -> dict[str, object]:
    total = add(double(2), double(3))
    return {"flow_run_id": str(flow_run.id), "total": total}


try:
    state = guarded(return_state=True)
except Exception as exc:  # a 401 is raised by the flow call itself
    emit({"error": describe(exc)})
else:
    emit({"state": state.type.value, **state.result()})
