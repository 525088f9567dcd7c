"""Scenario (b), the other side: resume a paused run, first with bad input, then good input.

Usage: resume.py FLOW_RUN_ID. Uses `prefect.flow_runs.resume_flow_run`, the call a person or
another flow makes. Prints one COMPAT-RESULT line: what each attempt raised, if anything.
"""

from __future__ import annotations

import sys
from typing import Any
from uuid import UUID

from _common import describe, emit
from prefect.flow_runs import resume_flow_run

ATTEMPTS: dict[str, dict[str, Any]] = {
    "wrong_type": {"approver": "ann", "amount": "a lot"},
    "missing_field": {"approver": "ann"},
    "valid": {"approver": "ann", "amount": 3},
}


def main() -> None:
    run_id = UUID(sys.argv[1])
    results: dict[str, Any] = {}
    for name, run_input in ATTEMPTS.items():
        try:
            resume_flow_run(run_id, run_input=run_input)
        except Exception as exc:
            results[name] = describe(exc)
        else:
            results[name] = None
    try:  # once running, the client itself refuses another resume
        resume_flow_run(run_id, run_input=ATTEMPTS["valid"])
    except Exception as exc:
        results["again"] = describe(exc)
    else:
        results["again"] = None
    emit(results)


if __name__ == "__main__":
    main()
