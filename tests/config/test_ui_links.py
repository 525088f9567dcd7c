"""Prefect's UI links (`View at http://HOST/runs/flow-run/<id>`) redirect to the admin
(config/ui_links.py); non-API paths get Django's slash redirect, API paths never redirect."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concurrency.models import ConcurrencyLimitV2
from events.models import Event
from tests.events.conftest import event_json, store, tag
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    FlowRunFactory,
    TaskRunFactory,
    WorkPoolFactory,
    WorkQueueFactory,
)
from variables.models import Variable

pytestmark = pytest.mark.django_db

MISSING = "00000000-0000-4000-8000-000000000000"


def stored_event() -> Event:
    (stored,) = store(event_json("prefect.flow-run.Completed", related=[tag("t")]))
    return Event.objects.get(pk=stored["id"])


# (path template, object maker, admin URL name of the page it lands on)
OBJECTS: list[tuple[str, Callable[[], Model], str]] = [
    ("/runs/flow-run/{pk}", FlowRunFactory.create, "admin:flowruns_flowrun_change"),
    ("/flow-runs/flow-run/{pk}", FlowRunFactory.create, "admin:flowruns_flowrun_change"),
    ("/runs/task-run/{pk}", TaskRunFactory.create, "admin:flowruns_taskrun_change"),
    ("/flows/flow/{pk}", FlowFactory.create, "admin:flowruns_flow_change"),
    (
        "/deployments/deployment/{pk}",
        DeploymentFactory.create,
        "admin:flowruns_deployment_change",
    ),
    ("/work-pools/work-pool/{name}", WorkPoolFactory.create, "admin:flowruns_workpool_change"),
    (
        "/work-pools/work-pool/{name}/worker/" + str(uuid.uuid4()),
        WorkPoolFactory.create,
        "admin:flowruns_workpool_change",
    ),
    ("/work-queues/work-queue/{pk}", WorkQueueFactory.create, "admin:flowruns_workqueue_change"),
    (
        "/concurrency-limits/concurrency-limit/{pk}",
        lambda: ConcurrencyLimitV2.objects.create(name="db", limit=2),
        "admin:concurrency_concurrencylimitv2_change",
    ),
    (
        "/variables/variable/{pk}",
        lambda: Variable.objects.create(name="answer", value=42),
        "admin:variables_variable_change",
    ),
    ("/events/event/{day}/{pk}", stored_event, "admin:events_event_change"),
]

LISTS = [
    ("/", "admin:index"),
    ("/dashboard", "admin:index"),
    ("/runs", "admin:flowruns_flowrun_changelist"),
    ("/flows", "admin:flowruns_flow_changelist"),
    ("/deployments", "admin:flowruns_deployment_changelist"),
    ("/work-pools", "admin:flowruns_workpool_changelist"),
    ("/concurrency-limits", "admin:concurrency_concurrencylimitv2_changelist"),
    ("/variables", "admin:variables_variable_changelist"),
    ("/events", "admin:events_event_changelist"),
]


def fill(template: str, obj: Any) -> str:
    day = timezone.now().strftime("%Y-%m-%d")
    return template.format(pk=obj.pk, name=getattr(obj, "name", ""), day=day)


@pytest.mark.parametrize(("template", "make", "admin_page"), OBJECTS)
def test_a_prefect_ui_link_redirects_to_the_objects_admin_page(
    client: Client, template: str, make: Callable[[], Model], admin_page: str
) -> None:
    obj = make()
    response = client.get(fill(template, obj))
    assert response.status_code == 302
    assert response["Location"] == reverse(admin_page, args=[obj.pk])


@pytest.mark.parametrize(("template", "make", "admin_page"), OBJECTS)
def test_an_unknown_id_is_a_404_page(
    client: Client, template: str, make: Callable[[], Model], admin_page: str
) -> None:
    missing = type("Missing", (), {"pk": MISSING, "name": "no-such-pool"})()
    response = client.get(fill(template, missing))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("path", "admin_page"), LISTS)
def test_prefect_ui_list_pages_redirect_to_the_admin_list(
    client: Client, path: str, admin_page: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse(admin_page)


def test_the_link_lands_on_the_page_for_a_signed_in_operator(client: Client) -> None:
    run = FlowRunFactory.create(name="brisk-otter")
    client.force_login(User.objects.create_superuser("ops", password="x"))
    response = client.get(f"/runs/flow-run/{run.pk}", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [
        (reverse("admin:flowruns_flowrun_change", args=[run.pk]), 302)
    ]
    assert "brisk-otter" in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_the_login_page_first(client: Client) -> None:
    run = FlowRunFactory.create()
    response = client.get(f"/runs/flow-run/{run.pk}", follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("admin:login")


def test_paths_prefect_never_prints_are_404(client: Client) -> None:
    for path in ("/automations/automation/" + MISSING, "/runs/flow-run/not-a-uuid", "/nope"):
        assert client.get(path).status_code == 404, path


def test_non_api_paths_get_the_slash_redirect(client: Client) -> None:
    response = client.get("/admin")
    assert response.status_code == 301
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/flows"),  # served as it is
        ("get", "/api/health"),
        ("get", "/api/docs"),  # exists only with a slash: still no redirect
        ("post", "/api/flow_runs/filter/"),
        ("get", "/api"),
        ("get", "/api/no-such-route"),
    ],
)
def test_api_paths_never_redirect(client: Client, method: str, path: str) -> None:
    response = getattr(client, method)(path, content_type="application/json")
    assert response.status_code not in (301, 302, 307, 308), response.status_code
    if response.status_code == 404:
        assert response.json() == {"detail": "Not Found"}
