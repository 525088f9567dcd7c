"""Scenario (b), the paused side: a flow that waits for typed input from someone else.

Usage: pause.py NONCE. The run is named `compat-pause-NONCE` so the pytest side can find it
while it waits; another process resumes it (resume.py). Prints one COMPAT-RESULT line with the
input the flow received.
"""

from __future__ import annotations

import sys
from typing import Any

from _common import emit
from prefect import flow
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput

PAUSE_TIMEOUT = 90


class Approval(RunInput):
    approver: str
    amount: int


@flow(name="compat-pause", flow_run_name="compat-pause-{nonce}")
def wait_for_approval(nonce: str) -> dict[str, Any]:
    approval = pause_flow_run(wait_for_input=Approval, timeout=PAUSE_TIMEOUT, poll_interval=1)
    return {"approver": approval.approver, "amount": approval.amount}


def main() -> None:
    state = wait_for_approval(nonce=sys.argv[1], return_state=True)
    value = state.result(raise_on_failure=False)
    if isinstance(value, BaseException):
        value = {"error": type(value).__name__, "message": str(value)}
    emit(
        {
            "flow_run_id": str(state.state_details.flow_run_id),
            "type": state.type.value,
            "result": value,
        }
    )


if __name__ == "__main__":
    main()
