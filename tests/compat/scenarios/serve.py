"""Scenario: `flow.serve()` registers a deployment and runs its runs until killed.

Usage: serve.py DEPLOYMENT_NAME INTERVAL_SECONDS. The flow is loaded again by the runner's
subprocess from this file's entrypoint, so it imports nothing from the scenarios folder.
"""

from __future__ import annotations

import sys

from prefect import flow


@flow(name="compat-served")
def hello(name: str = "world", n: int = 1) -> str:
    print(f"hello {name} x{n}")
    return f"{name}-{n}"


if __name__ == "__main__":
    hello.serve(
        name=sys.argv[1],
        interval=float(sys.argv[2]),
        parameters={"name": "srv"},
        tags=["served"],
    )
