"""Scenario (d): the event streams through the real client.

Usage: events.py NONCE. Runs:
* `emit_event` of a custom event (over `/api/events/in`);
* `wait_for_flow_run` (over `/api/events/out`) on a run that is already final, and on one that
  finishes while it waits: the run is set COMPLETED over REST and its
  `prefect.flow-run.Completed` event is sent as the server sends it (events.md §7.1);
* `get_logs_subscriber` (over `/api/logs/out`) receiving a log written after it subscribed.
Prints one COMPAT-RESULT line.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime
from typing import Any

from _common import emit
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import LogCreate
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.events import Event, emit_event
from prefect.events.clients import get_events_client
from prefect.flow_runs import wait_for_flow_run
from prefect.logging.clients import get_logs_subscriber
from prefect.states import Completed, Pending


async def wait_cases(nonce: str) -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with get_client() as client:
        done = await client.create_flow_run(_flow(f"compat-events-{nonce}"), state=Completed())
        run = await client.create_flow_run(_flow(f"compat-events-{nonce}"), state=Pending())
        started = time.monotonic()
        final = await wait_for_flow_run(done.id, timeout=30)
        results["already_final"] = final.state.type.value if final.state else None

        waiter = asyncio.create_task(wait_for_flow_run(run.id, timeout=60))
        await asyncio.sleep(2)
        await client.set_flow_run_state(run.id, Completed(), force=True)
        async with get_events_client() as events:  # what the server emits on that write
            await events.emit(
                Event(
                    event="prefect.flow-run.Completed",
                    resource={
                        "prefect.resource.id": f"prefect.flow-run.{run.id}",
                        "prefect.state-type": "COMPLETED",
                        "prefect.state-name": "Completed",
                    },
                )
            )
        waited = await waiter
        results["waited"] = waited.state.type.value if waited.state else None
        results["wait_seconds"] = round(time.monotonic() - started, 1)
    return results


def _flow(name: str):
    from prefect import flow

    @flow(name=name)
    def noop() -> None:
        return None

    return noop


async def logs_case(nonce: str) -> dict[str, Any]:
    async with get_client() as client:
        run = await client.create_flow_run(_flow(f"compat-logs-{nonce}"), state=Pending())
        log_filter = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id]))

        async def write_logs() -> None:  # logs are not backfilled: write until one arrives
            while True:
                line = LogCreate(
                    name="compat",
                    level=20,
                    message=f"streamed {nonce}",
                    timestamp=datetime.now(UTC),
                    flow_run_id=run.id,
                )
                await client.create_logs([line])
                await asyncio.sleep(0.5)

        async with get_logs_subscriber(filter=log_filter) as subscriber:
            writer = asyncio.create_task(write_logs())
            try:
                log = await asyncio.wait_for(subscriber.__anext__(), 30)
            finally:
                writer.cancel()
    return {"log_message": log.message, "log_flow_run_id": str(log.flow_run_id)}


def main() -> None:
    nonce = sys.argv[1]
    emitted = emit_event(
        event=f"compat.custom.{nonce}", resource={"prefect.resource.id": f"compat.{nonce}"}
    )
    result: dict[str, Any] = {"emitted_id": str(emitted.id) if emitted else None}
    result.update(asyncio.run(wait_cases(nonce)))
    result.update(asyncio.run(logs_case(nonce)))
    emit(result)


if __name__ == "__main__":
    main()
