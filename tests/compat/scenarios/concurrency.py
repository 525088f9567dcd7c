"""Scenario: concurrency limits enforced for the real client.

Usage: concurrency.py TAG RATE_LIMIT. The tag limit `TAG` (limit 1) and the global limit
`RATE_LIMIT` (limit 1, with decay) exist beforehand. The flow submits three tasks tagged `TAG`
at once, each sleeping a second; then calls `rate_limit(RATE_LIMIT)` three times in a row.

Prints one COMPAT-RESULT line: each tagged task's start and end (wall clock, seconds) and
final state, and the time each `rate_limit` call returned.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _common import emit
from prefect import flow, task
from prefect.concurrency.sync import rate_limit

TAG, RATE_LIMIT = sys.argv[1], sys.argv[2]


@task(tags=[TAG])
def occupy(index: int) -> dict[str, float]:
    start = time.time()
    time.sleep(1)
    return {"index": index, "start": start, "end": time.time()}


@flow(name="compat-concurrency")
def limited() -> dict[str, Any]:
    futures = [occupy.submit(i) for i in range(3)]
    states = [future.wait() or future.state for future in futures]
    spans = [future.result() for future in futures]
    calls = []
    for _ in range(3):
        rate_limit(RATE_LIMIT)
        calls.append(time.time())
    return {
        "spans": spans,
        "states": [state.type.value for state in states],
        "rate_limited": calls,
    }


if __name__ == "__main__":
    emit(limited())
