"""Resuming a paused flow run, optionally with input checked against the pause's schema."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.db import transaction

from flowruns.errors import DetailError
from flowruns.models import FlowRun, FlowRunInput, StateType

from .orchestrating import run_lock, run_orchestrate_locked
from .orchestration_types import OrchestrationCall, SetStateOutcome, StateProposal
from .run_input.hydration import HydrationError, hydrate
from .run_input.schema_validation import CircularSchema, RunInputInvalid, validate_run_input
from .run_kinds import FLOW_RUNS
from .state_codec import details_from_json, state_from_row


def _rejected(run: FlowRun, reason: str) -> SetStateOutcome:
    return SetStateOutcome(
        status="REJECT",
        reason=reason,
        delay_seconds=None,
        state=state_from_row(run.state) if run.state is not None else None,
        written=False,
        details_type="abort_details",
    )


def _check_input(run: FlowRun, keyset: dict[str, str], run_input: dict[str, Any] | None) -> Any:
    """The hydrated input, or a REJECT outcome explaining why it cannot be used."""
    try:
        hydrated = hydrate(run_input or {}) or {}
    except HydrationError as exc:
        return _rejected(run, f"Error hydrating run input: {exc}")
    schema_row = FlowRunInput.objects.filter(flow_run=run, key=keyset.get("schema")).first()
    if schema_row is None:
        return _rejected(run, "Run input schema not found.")
    try:
        schema = json.loads(schema_row.value)
    except ValueError:
        return _rejected(run, "Run input schema is not valid JSON.")
    try:
        validate_run_input(hydrated, schema)
    except CircularSchema:
        return _rejected(run, "Invalid schema: Unable to validate schema with circular references.")
    except RunInputInvalid as exc:
        return _rejected(run, f"Reason: {exc}")
    return hydrated


def flow_run_resume(
    *, flow_run_id: UUID, run_input: dict[str, Any] | None, call: OrchestrationCall
) -> SetStateOutcome:
    with transaction.atomic():
        run = run_lock(FLOW_RUNS, flow_run_id)
        if run is None:
            raise DetailError(404, "Flow run not found")
        if run.state is None or run.state_type != StateType.PAUSED:
            return SetStateOutcome(
                status="ABORT",
                reason="Cannot resume a flow run that is not paused.",
                delay_seconds=None,
                state=None,
                written=False,
            )
        details = details_from_json(run.state.state_details)
        keyset = details.get("run_input_keyset")
        hydrated: Any = None
        if keyset:
            checked = _check_input(run, keyset, run_input)
            if isinstance(checked, SetStateOutcome):
                return checked
            hydrated = checked
        if details.get("pause_reschedule"):
            proposal = StateProposal(type=StateType.SCHEDULED.value, name="Resuming")
        else:
            proposal = StateProposal(type=StateType.RUNNING.value)
        outcome = run_orchestrate_locked(FLOW_RUNS, run, proposal, force=False, call=call)
        if keyset and run_input and outcome.status == "ACCEPT":
            FlowRunInput.objects.create(
                flow_run=run,
                key=keyset["response"],
                value=json.dumps(hydrated, separators=(",", ":"), ensure_ascii=False),
            )
        return outcome
