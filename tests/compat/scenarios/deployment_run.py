"""Scenario: the flow engine runs a deployment's flow run that holds a concurrency lease.

Usage: deployment_run.py FLOW_RUN_ID SECONDS. Runs the run (already PENDING, so already
holding its slot) with `run_flow`, as a worker's flow process does; the flow sleeps SECONDS,
long enough for the engine's lease renewal (at start) to be answered and, were it refused,
to stop the flow. Prints one COMPAT-RESULT line: the final state's type, name and message.
"""

from __future__ import annotations

import sys
import time
from uuid import UUID

from _common import emit
from prefect import flow, get_client
from prefect.flow_engine import run_flow


@flow
def hold_the_slot(seconds: float = 0) -> str:
    time.sleep(seconds)
    return "held"


def main() -> None:
    run_id, seconds = UUID(sys.argv[1]), float(sys.argv[2])
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(run_id)
    state = run_flow(
        hold_the_slot, flow_run=flow_run, parameters={"seconds": seconds}, return_type="state"
    )
    emit({"type": state.type.value, "name": state.name, "message": state.message})


if __name__ == "__main__":
    main()
