from __future__ import annotations

from typing import Any
from uuid import UUID

from flowruns.services.orchestration_types import SetStateOutcome

from .states import state_out


def details_out(
    status: str, reason: str | None, delay_seconds: int | None, details_type: str | None = None
) -> dict[str, Any]:
    if details_type == "abort_details":
        return {"type": "abort_details", "reason": reason}
    if status == "ACCEPT":
        return {"type": "accept_details"}
    if status == "WAIT":
        return {"type": "wait_details", "delay_seconds": delay_seconds, "reason": reason}
    if status == "REJECT":
        return {"type": "reject_details", "reason": reason}
    return {"type": "abort_details", "reason": reason}


def orchestration_result_out(outcome: SetStateOutcome) -> dict[str, Any]:
    """OrchestrationResult: `state` (may be null), `status`, `details`."""
    return {
        "state": state_out(outcome.state) if outcome.state is not None else None,
        "status": outcome.status,
        "details": details_out(
            outcome.status, outcome.reason, outcome.delay_seconds, outcome.details_type
        ),
    }


def bulk_result_out(run_id: UUID, outcome: SetStateOutcome) -> dict[str, Any]:
    """One entry of bulk_set_state's `results`: the run's OrchestrationResult, run id first."""
    result = orchestration_result_out(outcome)
    return {
        "flow_run_id": str(run_id),
        "status": result["status"],
        "state": result["state"],
        "details": result["details"],
    }


def bulk_abort_out(run_id: UUID, exc: Exception) -> dict[str, Any]:
    """The entry of a run whose orchestration raised: an ABORT carrying the error."""
    return {
        "flow_run_id": str(run_id),
        "status": "ABORT",
        "state": None,
        "details": details_out("ABORT", str(exc), None),
    }
