"""Scenario (outage): the client creates flow runs and moves them to Completed, one after
another, while the test cuts the server's database for a few seconds.

Usage: outage.py NONCE COUNT. Prints `RUN <n>` after each run, then one COMPAT-RESULT line:
the ids of the runs the client created, their final state types as the server answered them,
and the longest single call in seconds (a call that rode out the outage).
"""

from __future__ import annotations

import sys
import time

from _common import emit
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.states import Completed, Running

NONCE = sys.argv[1]
COUNT = int(sys.argv[2])


@flow(name=f"compat-outage-{NONCE}")
def placeholder() -> None:
    """Never run: it names the flow the runs belong to."""


def main() -> None:
    ids: list[str] = []
    states: list[str] = []
    longest = 0.0
    with get_client(sync_client=True) as client:
        for n in range(COUNT):
            started = time.monotonic()
            run = client.create_flow_run(placeholder)
            client.set_flow_run_state(run.id, Running())
            result = client.set_flow_run_state(run.id, Completed())
            longest = max(longest, time.monotonic() - started)
            ids.append(str(run.id))
            states.append(str(result.state.type.value) if result.state else "none")
            print(f"RUN {n}", flush=True)
            time.sleep(0.2)
    emit({"ids": ids, "states": states, "longest_call_s": round(longest, 2)})


main()
