"""Scenario: `run_deployment()` from another process, waiting for the run to finish.

Usage: run_deployment.py FLOW/DEPLOYMENT PARAMETERS_JSON. Prints the final state's type and
the run's parameters, or the error the client raised (e.g. a 409 for parameters the
deployment's schema refuses).
"""

from __future__ import annotations

import json
import sys

from _common import describe, emit
from prefect.deployments import run_deployment


def main() -> None:
    name, parameters = sys.argv[1], json.loads(sys.argv[2])
    try:
        run = run_deployment(name, parameters=parameters, timeout=120, poll_interval=1)
    except Exception as exc:
        emit({"error": describe(exc)})
        return
    emit({"state": run.state.type.value if run.state else None, "parameters": run.parameters,
          "id": str(run.id)})  # fmt: skip


if __name__ == "__main__":
    main()
