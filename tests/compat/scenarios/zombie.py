"""Scenario: a flow that runs until its process is killed (the zombie test kills it).

Usage: zombie.py NONCE. The run is named `compat-zombie-NONCE`; the flow body sleeps far longer
than the test waits, sending heartbeats at PREFECT_FLOWS_HEARTBEAT_FREQUENCY.
"""

from __future__ import annotations

import sys
import time

from prefect import flow


@flow(name="compat-zombie", flow_run_name="compat-zombie-{nonce}")
def hang(nonce: str) -> None:
    print("ZOMBIE-BODY-STARTED", flush=True)
    time.sleep(600)


if __name__ == "__main__":
    hang(nonce=sys.argv[1])
