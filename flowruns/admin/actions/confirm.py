"""The confirmation page every action shows first: how many runs, from which states, to
what, and the runs themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.admin import helpers
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from flowruns.models import FlowRun

from ..display import state_badge
from .running import SelectedRun

TEMPLATE = "admin/flowruns/flowrun/confirm_action.html"


def from_states(runs: Sequence[SelectedRun]) -> list[tuple[str, int]]:
    """(current state, runs in it), most common first."""
    counts = Counter(run.state_label for run in runs)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def confirmation_page(
    modeladmin: Any,
    request: HttpRequest,
    runs: Sequence[SelectedRun],
    *,
    action_name: str,
    title: str,
    target: str,
    explanation: str,
    confirm_label: str,
    form: forms.Form | None = None,
) -> HttpResponse:
    shown = {
        run.pk: run
        for run in FlowRun.objects.filter(id__in=[r.id for r in runs])
        .select_related("flow")
        .only("id", "name", "state_type", "state_name", "flow__name")
    }
    rows = [
        {
            "pk": run.id,
            "name": run.name,
            "flow_name": shown[run.id].flow.name if run.id in shown else "",
            "badge": state_badge(run.state_type, run.state_name),
        }
        for run in sorted(runs, key=lambda r: (r.name, str(r.id)))
    ]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": modeladmin.model._meta,
        "runs": rows,
        "count": len(runs),
        "from_states": from_states(runs),
        "target": target,
        "explanation": explanation,
        "confirm_label": confirm_label,
        "form": form,
        "action_name": action_name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "select_across": request.POST.get("select_across", "0"),
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, TEMPLATE, context)
