"""Scenario: `flow.from_source(...).deploy(work_pool_name=...)`, as a user deploys a flow to a
process work pool.

Usage: deploy_from_source.py SOURCE_DIR ENTRYPOINT POOL NAME. Prints the new deployment's id,
or the error the client raised.
"""

from __future__ import annotations

import sys

from _common import describe, emit
from prefect import flow


def main() -> None:
    source, entrypoint, pool, name = sys.argv[1:5]
    try:
        remote = flow.from_source(source=source, entrypoint=entrypoint)
        deployment_id = remote.deploy(
            name=name, work_pool_name=pool, parameters={"who": "source"}, print_next_steps=False
        )
    except Exception as exc:
        emit({"error": describe(exc)})
        return
    emit({"id": str(deployment_id)})


if __name__ == "__main__":
    main()
