"""The actions themselves: each builds its proposal and goes through `state_action`, which
asks first, then proposes, reports and logs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from flowruns.models import STATE_TYPE_CHOICES, FlowRun, StateType
from flowruns.services.flow_runs_delete import flow_runs_delete
from flowruns.services.orchestration_types import StateProposal

from .confirm import confirmation_page
from .reporting import log_changes, report
from .running import SelectedRun, propose

# One action touches at most this many runs (each is its own transaction); select fewer or
# narrow the filter.
MAX_RUNS_PER_ACTION = 200
ORCHESTRATE = ("orchestrate",)
REMOVE = ("remove",)
TERMINAL = {StateType.COMPLETED, StateType.FAILED, StateType.CANCELLED, StateType.CRASHED}


def selected_runs(request: HttpRequest, queryset: QuerySet[FlowRun]) -> list[SelectedRun]:
    """The selected runs, or [] (after an error message) when there are too many."""
    rows = list(
        queryset.order_by("name", "id").values_list("id", "name", "state_type", "state_name")[
            : MAX_RUNS_PER_ACTION + 1
        ]
    )
    if len(rows) > MAX_RUNS_PER_ACTION:
        messages.error(
            request,
            f"An action changes at most {MAX_RUNS_PER_ACTION} flow runs at a time; nothing "
            "was changed. Select fewer runs or narrow the list with filters.",
        )
        return []
    return [SelectedRun(*row) for row in rows]


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("post") == "yes"


def _by(request: HttpRequest) -> str:
    return f"from the admin by {request.user.get_username()}"


def state_action(
    modeladmin: Any,
    request: HttpRequest,
    queryset: QuerySet[FlowRun],
    *,
    action_name: str,
    verb: str,
    target: str,
    explanation: str,
    proposal: Callable[[], StateProposal],
    force: bool = False,
) -> HttpResponse | None:
    runs = selected_runs(request, queryset)
    if not runs:
        return None
    if not confirmed(request):
        return confirmation_page(
            modeladmin,
            request,
            runs,
            action_name=action_name,
            title=f"{verb} flow runs",
            target=target,
            explanation=explanation,
            confirm_label=f"Yes, {verb.lower()}",
        )
    results = propose(runs, proposal(), force=force)
    report(request, results, verb)
    log_changes(modeladmin, request, results, verb)
    return None


@admin.action(description="Cancel selected flow runs…", permissions=ORCHESTRATE)
def cancel_flow_runs(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]
) -> HttpResponse | None:
    """Propose CANCELLING; the rules turn it into CANCELLED for a run with no infrastructure
    to tear down (e.g. still SCHEDULED) and leave finished runs alone."""
    return state_action(
        modeladmin,
        request,
        queryset,
        action_name="cancel_flow_runs",
        verb="Cancel",
        target="Cancelling",
        explanation="Runs with infrastructure are asked to stop (Cancelling); runs without "
        "it (e.g. still scheduled) become Cancelled; finished runs are left alone.",
        proposal=lambda: StateProposal(
            type="CANCELLING", name="Cancelling", message=f"Cancelled {_by(request)}"
        ),
    )


@admin.action(description="Mark selected flow runs as failed…", permissions=ORCHESTRATE)
def mark_flow_runs_failed(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]
) -> HttpResponse | None:
    return state_action(
        modeladmin,
        request,
        queryset,
        action_name="mark_flow_runs_failed",
        verb="Mark failed",
        target="Failed",
        explanation="Each run is proposed FAILED through the orchestration rules.",
        proposal=lambda: StateProposal(
            type="FAILED", name="Failed", message=f"Marked failed {_by(request)}"
        ),
    )


@admin.action(description="Retry selected flow runs…", permissions=ORCHESTRATE)
def retry_flow_runs(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]
) -> HttpResponse | None:
    """Prefect's "Retry": SCHEDULED named `AwaitingRetry`, due now, so a worker picks the
    run up again. The rules refuse it for a run without a deployment (nothing would run
    it) and for a completed run whose result is persisted."""
    return state_action(
        modeladmin,
        request,
        queryset,
        action_name="retry_flow_runs",
        verb="Retry",
        target="AwaitingRetry (scheduled now)",
        explanation="Finished runs of a deployment are scheduled again, due now; runs without "
        "a deployment are left alone (nothing would pick them up).",
        proposal=lambda: StateProposal(
            type="SCHEDULED",
            name="AwaitingRetry",
            message=f"Retried {_by(request)}",
            details={"scheduled_time": timezone.now()},
        ),
    )


@admin.action(description="Reschedule selected flow runs to start now…", permissions=ORCHESTRATE)
def reschedule_flow_runs(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]
) -> HttpResponse | None:
    return state_action(
        modeladmin,
        request,
        queryset,
        action_name="reschedule_flow_runs",
        verb="Reschedule",
        target="Scheduled (now)",
        explanation="Each run is proposed SCHEDULED with a start time of now.",
        proposal=lambda: StateProposal(
            type="SCHEDULED",
            name="Scheduled",
            message=f"Rescheduled {_by(request)}",
            details={"scheduled_time": timezone.now()},
        ),
    )


def default_forced_state(state_types: Sequence[str | None]) -> str:
    """What an operator forcing these runs most likely wants: stuck-cancelling runs become
    Cancelled, finished runs are scheduled again, anything still going is failed."""
    types = set(state_types)
    if types == {StateType.CANCELLING}:
        return StateType.CANCELLED
    if types and types <= TERMINAL:
        return StateType.SCHEDULED
    return StateType.FAILED


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
    """Forcing uses the force policy (as `set_state` with `force=true`), which keeps the
    bookkeeping and the few rules Prefect still enforces under force."""
    runs = selected_runs(request, queryset)
    if not runs:
        return None
    if confirmed(request):
        form = ForceStateForm(request.POST)
    else:
        form = ForceStateForm(
            initial={"state_type": default_forced_state([r.state_type for r in runs])}
        )
    if not form.is_bound or not form.is_valid():
        return confirmation_page(
            modeladmin,
            request,
            runs,
            action_name="force_flow_run_state",
            title="Force a state on flow runs",
            target="the state below",
            explanation="Forcing skips most orchestration rules (as set_state with "
            "force=true); bookkeeping still runs.",
            confirm_label="Yes, force this state",
            form=form,
        )
    state_type = form.cleaned_data["state_type"]
    proposal = StateProposal(
        type=state_type,
        name=form.cleaned_data["state_name"] or None,
        message=form.cleaned_data["message"] or f"Forced {_by(request)}",
    )
    verb = f"Force {state_type.capitalize()}"
    results = propose(runs, proposal, force=True)
    report(request, results, verb)
    log_changes(modeladmin, request, results, verb)
    return None


@admin.action(description="Delete selected flow runs…", permissions=REMOVE)
def delete_flow_runs(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[FlowRun]
) -> HttpResponse | None:
    """Delete the runs with their states, task runs, inputs and logs (`flow_runs_delete`, as
    `/flow_runs/bulk_delete` and `delete_flow_runs`), after logging each deletion."""
    runs = selected_runs(request, queryset)
    if not runs:
        return None
    if not confirmed(request):
        return confirmation_page(
            modeladmin,
            request,
            runs,
            action_name="delete_flow_runs",
            title="Delete flow runs",
            target="deleted",
            explanation="The runs are deleted with their states, task runs, inputs and logs. "
            "This cannot be undone.",
            confirm_label="Yes, delete them",
        )
    doomed = FlowRun.objects.filter(id__in=[r.id for r in runs]).only("id", "name")
    with transaction.atomic():  # the history entries stand or fall with the deletion
        modeladmin.log_deletions(request, doomed)
        deleted = flow_runs_delete(ids=[r.id for r in runs])
    gone = len(runs) - len(deleted)
    text = f"Delete: {len(deleted)} run{'s' if len(deleted) != 1 else ''} deleted"
    messages.success(request, text + (f"; {gone} no longer existed." if gone else "."))
    return None


FLOW_RUN_ACTIONS = [
    cancel_flow_runs,
    mark_flow_runs_failed,
    retry_flow_runs,
    reschedule_flow_runs,
    force_flow_run_state,
    delete_flow_runs,
]
