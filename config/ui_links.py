"""Prefect's UI links, answered by the admin.

The Prefect client prints `View at http://HOST/runs/flow-run/<id>` for every run (its UI URL
is the API URL without `/api`), and its CLI prints deployment, work pool and block links the
same way (`prefect/utilities/urls.py`). Each such path redirects (302) to the admin page of
the object: its change page, or its model's list when the admin has no change page for it.
An id or name that does not exist is a 404 page; `/` goes to the admin's index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.admin.utils import quote
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import NoReverseMatch, URLPattern, path, reverse


@dataclass(frozen=True)
class Target:
    """The model a UI path names, and the field its last segment is matched against."""

    model: str  # "app_label.ModelName"
    field: str = "pk"

    def admin_url(self, pk: Any = None) -> str:
        """The change page of `pk` (or the list, with no pk), else the list, else the index:
        admin pages being rebuilt keep their URL names, and a missing one still lands."""
        meta = apps.get_model(self.model)._meta
        names = [f"admin:{meta.app_label}_{meta.model_name}_changelist", "admin:index"]
        if pk is not None:
            names.insert(0, f"admin:{meta.app_label}_{meta.model_name}_change")
        for name in names:
            try:
                return reverse(name, args=[quote(pk)] if name.endswith("_change") else [])
            except NoReverseMatch:
                continue
        return "/admin/"


FLOW_RUN = Target("flowruns.FlowRun")
TASK_RUN = Target("flowruns.TaskRun")
FLOW = Target("flowruns.Flow")
DEPLOYMENT = Target("flowruns.Deployment")
WORK_POOL = Target("flowruns.WorkPool", field="name")  # Prefect links pools by name
WORK_QUEUE = Target("flowruns.WorkQueue")
CONCURRENCY_LIMIT = Target("concurrency.ConcurrencyLimitV2")
VARIABLE = Target("variables.Variable")
EVENT = Target("events.Event")


def object_link(
    request: HttpRequest, *, target: Target, key: Any, **_: Any
) -> HttpResponseRedirect:
    model = apps.get_model(target.model)
    pk = model._default_manager.filter(**{target.field: key}).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404(f"No {model._meta.verbose_name} {key}")
    return HttpResponseRedirect(target.admin_url(pk))


def list_link(request: HttpRequest, *, target: Target | None) -> HttpResponseRedirect:
    return HttpResponseRedirect(target.admin_url() if target else reverse("admin:index"))


def _object(route: str, target: Target) -> URLPattern:
    return path(route, object_link, {"target": target})


def _list(route: str, target: Target | None) -> URLPattern:
    return path(route, list_link, {"target": target})


# Exactly as Prefect prints them: no trailing slash.
urlpatterns = [
    _list("", None),
    _list("dashboard", None),
    _object("runs/flow-run/<uuid:key>", FLOW_RUN),
    _object("flow-runs/flow-run/<uuid:key>", FLOW_RUN),  # prefect.runtime.flow_run.ui_url
    _object("runs/task-run/<uuid:key>", TASK_RUN),
    _list("runs", FLOW_RUN),
    _object("flows/flow/<uuid:key>", FLOW),
    _list("flows", FLOW),
    _object("deployments/deployment/<uuid:key>", DEPLOYMENT),
    _list("deployments", DEPLOYMENT),
    _object("work-pools/work-pool/<str:key>", WORK_POOL),
    _object("work-pools/work-pool/<str:key>/worker/<str:worker>", WORK_POOL),
    _list("work-pools", WORK_POOL),
    _object("work-queues/work-queue/<uuid:key>", WORK_QUEUE),
    _object("concurrency-limits/concurrency-limit/<uuid:key>", CONCURRENCY_LIMIT),
    _list("concurrency-limits", CONCURRENCY_LIMIT),
    _object("variables/variable/<uuid:key>", VARIABLE),
    _list("variables", VARIABLE),
    _object("events/event/<str:day>/<uuid:key>", EVENT),
    _list("events", EVENT),
]
