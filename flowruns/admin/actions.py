"""Flow-run admin actions. Each one proposes a state through `flow_run_set_state`, the same
service the API's `set_state` uses, one run (one transaction) at a time, and reports every
run's outcome — accepted, rejected (with the state written instead, if any), asked to wait,
or aborted — with the rule's reason, as Django messages.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from flowruns.errors import ObjectNotFound
from flowruns.models import STATE_TYPE_CHOICES, FlowRun
from flowruns.services.orchestration_types import OrchestrationCall, SetStateOutcome, StateProposal
from flowruns.services.states import flow_run_set_state

from .display import state_badge

logger = logging.getLogger(__name__)

# One action touches at most this many runs (each is its own transaction); select fewer or
# narrow the filter. Messages are per run up to MAX_RUN_MESSAGES, then summarised.
MAX_RUNS_PER_ACTION = 200
MAX_RUN_MESSAGES = 25

ORCHESTRATE = ("orchestrate",)


@dataclass(frozen=True)
class RunResult:
    run_id: UUID
    run_name: str
    outcome: SetStateOutcome | None
    error: str | None = None

    @property
    def status(self) -> str:
        return self.outcome.status if self.outcome is not None else "ERROR"


def _selected_runs(request: HttpRequest, queryset: QuerySet[FlowRun]) -> list[tuple[UUID, str]]:
    """The selected runs' ids and names, or [] (after an error message) when too many."""
    rows = list(queryset.order_by().values_list("id", "name")[: MAX_RUNS_PER_ACTION + 1])
    if len(rows) > MAX_RUNS_PER_ACTION:
        messages.error(
            request,
            f"An action changes at most {MAX_RUNS_PER_ACTION} flow runs at a time; nothing "
            "was changed. Select fewer runs or narrow the list with filters.",
        )
        return []
    return [(run_id, name) for run_id, name in rows]


def propose(
    runs: Sequence[tuple[UUID, str]], proposal: StateProposal, *, force: bool = False
) -> list[RunResult]:
    """Propose `proposal` to each run through the orchestration service."""
    results = []
    for run_id, name in runs:
        try:
            outcome = flow_run_set_state(
                flow_run_id=run_id, state=proposal, force=force, call=OrchestrationCall()
            )
        except ObjectNotFound:
            results.append(RunResult(run_id, name, None, "the run no longer exists"))
        except Exception as error:  # one failing run must not hide the others' outcomes
            logger.exception("admin action: set_state failed for flow run %s", run_id)
            results.append(RunResult(run_id, name, None, f"{type(error).__name__}: {error}"))
        else:
            results.append(RunResult(run_id, name, outcome))
    return results


def describe(result: RunResult, proposed: str) -> tuple[int, str]:
    """The message level and text for one run's outcome."""
    label = f'"{result.run_name}"'
    outcome = result.outcome
    if outcome is None:
        return messages.ERROR, f"{label}: {proposed} failed: {result.error}."
    now = outcome.state.name if outcome.state is not None else "no state"
    reason = f" ({outcome.reason.rstrip('.')})" if outcome.reason else ""
    if outcome.status == "ACCEPT":
        return messages.SUCCESS, f"{label}: {proposed} accepted; the run is now {now}."
    if outcome.status == "REJECT" and outcome.written:
        return messages.WARNING, (
            f"{label}: {proposed} rejected{reason}; {now} was written instead."
        )
    if outcome.status == "REJECT":
        return messages.WARNING, f"{label}: {proposed} rejected{reason}; the run stays {now}."
    if outcome.status == "WAIT":
        return messages.WARNING, (
            f"{label}: {proposed} must wait {outcome.delay_seconds}s{reason}; the run stays {now}."
        )
    return messages.ERROR, f"{label}: {proposed} aborted{reason}; the run stays {now}."


def report(request: HttpRequest, results: Sequence[RunResult], proposed: str) -> None:
    for result in results[:MAX_RUN_MESSAGES]:
        level, text = describe(result, proposed)
        messages.add_message(request, level, text)
    rest = results[MAX_RUN_MESSAGES:]
    if rest:
        counts = Counter(result.status.lower() for result in rest)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        messages.info(request, f"…and {len(rest)} more runs: {summary}.")


def _by(request: HttpRequest) -> str:
    return f"from the admin by {request.user.get_username()}"


def _run_action(
    request: HttpRequest,
    queryset: QuerySet[FlowRun],
    proposal: StateProposal,
    *,
    force: bool = False,
) -> None:
    runs = _selected_runs(request, queryset)
    if runs:
        report(request, propose(runs, proposal, force=force), proposal.type)


@admin.action(description="Cancel selected flow runs", permissions=ORCHESTRATE)
def cancel_flow_runs(modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]) -> None:
    """Propose CANCELLING; the rules turn it into CANCELLED for a run with no infrastructure
    to tear down (e.g. still SCHEDULED)."""
    proposal = StateProposal(
        type="CANCELLING", name="Cancelling", message=f"Cancelled {_by(request)}"
    )
    _run_action(request, queryset, proposal)


@admin.action(description="Mark selected flow runs as failed", permissions=ORCHESTRATE)
def mark_flow_runs_failed(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]
) -> None:
    proposal = StateProposal(type="FAILED", name="Failed", message=f"Marked failed {_by(request)}")
    _run_action(request, queryset, proposal)


@admin.action(description="Reschedule selected flow runs to start now", permissions=ORCHESTRATE)
def reschedule_flow_runs(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]
) -> None:
    proposal = StateProposal(
        type="SCHEDULED",
        name="Scheduled",
        message=f"Rescheduled {_by(request)}",
        details={"scheduled_time": timezone.now()},
    )
    _run_action(request, queryset, proposal)


class ForceStateForm(forms.Form):
    state_type = forms.ChoiceField(choices=STATE_TYPE_CHOICES, label="New state type")
    state_name = forms.CharField(
        required=False, label="State name", help_text="Defaults to the type's name (Completed…)"
    )
    message = forms.CharField(required=False, label="Message")


@admin.action(description="Force a state on selected flow runs…", permissions=ORCHESTRATE)
def force_flow_run_state(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]
) -> HttpResponse | None:
    """Ask first: a page lists the runs and the state to force; nothing happens until it is
    confirmed. Forcing uses the force policy (as `set_state` with `force=true`), which keeps
    the bookkeeping and the few rules Prefect still enforces under force."""
    runs = _selected_runs(request, queryset)
    if not runs:
        return None
    form = ForceStateForm(request.POST if request.POST.get("post") == "yes" else None)
    if form.is_valid():
        state_type = form.cleaned_data["state_type"]
        proposal = StateProposal(
            type=state_type,
            name=form.cleaned_data["state_name"] or None,
            message=form.cleaned_data["message"] or f"Forced {_by(request)}",
        )
        report(request, propose(runs, proposal, force=True), f"forced {state_type}")
        return None
    shown = (
        FlowRun.objects.filter(id__in=[run_id for run_id, _ in runs])
        .select_related("flow")
        .order_by("name", "id")
    )
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Force a state on flow runs",
        "subtitle": None,
        "opts": modeladmin.model._meta,
        "runs": [
            {
                "pk": run.pk,
                "name": run.name,
                "flow_name": run.flow.name,
                "badge": state_badge(run.state_type, run.state_name),
            }
            for run in shown
        ],
        "form": form,
        "action_name": "force_flow_run_state",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/flowruns/flowrun/force_state.html", context)


FLOW_RUN_ACTIONS = [
    cancel_flow_runs,
    mark_flow_runs_failed,
    reschedule_flow_runs,
    force_flow_run_state,
]
