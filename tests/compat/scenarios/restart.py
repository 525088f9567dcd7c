"""Scenario (restart): a flow of many short tasks, run in-process, while the test kills and
restarts the server under it.

Usage: restart.py NONCE TASKS [CHECKPOINT_EVERY]. Each task sleeps 0.1 s. CHECKPOINT_EVERY
(default: the client's own, 700) is how many unconfirmed events the events client lets
accumulate before it pings; a small value makes it forget events as soon as the server's
pong confirms them, which is what a pong that does not mean "stored" would lose.
Prints `FLOW-RUN <id>` when the flow starts, then one COMPAT-RESULT line: the flow run id,
its final state as the client saw it, and the task run ids the client created.
"""

from __future__ import annotations

import sys
import time

from _common import emit
from prefect import flow, task
from prefect.events.clients import PrefectEventsClient
from prefect.events.worker import EventsWorker
from prefect.runtime import flow_run

NONCE = sys.argv[1]
TASKS = int(sys.argv[2])
if len(sys.argv) > 3:
    EventsWorker.set_client_override(PrefectEventsClient, checkpoint_every=int(sys.argv[3]))


@task
def nap(i: int) -> int:
    time.sleep(0.1)
    return i


@flow(name=f"compat-restart-{NONCE}")
def many_tasks() -> list[str]:
    print(f"FLOW-RUN {flow_run.id}", flush=True)
    ids = []
    for i in range(TASKS):
        state = nap(i, return_state=True)
        ids.append(str(state.state_details.task_run_id))
    return ids


if __name__ == "__main__":
    state = many_tasks(return_state=True)
    emit(
        {
            "flow_run_id": str(state.state_details.flow_run_id),
            "state": state.type.value,
            "task_run_ids": state.result(raise_on_failure=False),
        }
    )
