"""Scenario (c): every flow-run method of the client, once with `get_client(sync_client=True)`
and once with `async with get_client()`.

Usage: client_methods.py NONCE. Prints one COMPAT-RESULT line: {"sync": {...}, "async": {...}},
each an observation per method (what came back, or what it raised) for the pytest side to judge.
The same steps run against both clients: the sync one is wrapped so it can be awaited. The steps
live in the `_client_*.py` modules next to this script, and run in the order listed in STEPS.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from _client_calls import Awaitable_, Exercise
from _client_inputs_and_logs import flow_run_inputs, send_and_read_logs
from _client_orchestration import orchestrate
from _client_queries import read_and_count
from _client_runs import create_and_read, delete, update, update_labels
from _common import emit
from prefect import flow, get_client

NONCE = sys.argv[1]

STEPS = (
    create_and_read,
    read_and_count,
    update,
    orchestrate,
    flow_run_inputs,
    update_labels,
    send_and_read_logs,
    delete,
)


async def exercise(c: Any, label: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tag = f"compat-{label}-{NONCE}"

    @flow(name=f"compat-client-{label}-{NONCE}")
    def subject(x: int = 0) -> int:
        return x

    ex = Exercise(c, label, tag, subject)
    for step in STEPS:
        out |= await step(ex)
    out["run_ids"] = [str(run.id) for run in ex.runs]
    out["tag"] = tag
    return out


async def main() -> None:
    results: dict[str, Any] = {}
    with get_client(sync_client=True) as sync_client:
        results["sync"] = await exercise(Awaitable_(sync_client), "sync")
    async with get_client() as async_client:
        results["async"] = await exercise(async_client, "async")
    emit(results)


if __name__ == "__main__":
    asyncio.run(main())
