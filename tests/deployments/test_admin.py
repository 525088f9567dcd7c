"""Deployment admin: schedules inline, pause/resume and run-now actions through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from flowruns.models import Deployment, FlowRun

pytestmark = pytest.mark.django_db
HOURLY = {"interval": 3600.0, "anchor_date": "2026-01-01T00:00:00Z", "timezone": "UTC"}


@pytest.fixture
def admin_client(db: None) -> Client:
    user = User.objects.create_superuser("admin", "a@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def _act(client: Client, action: str, deployment_id: str) -> None:
    response = client.post(
        "/admin/flowruns/deployment/",
        {"action": action, "_selected_action": [deployment_id]},
    )
    assert response.status_code == 302


def test_change_page_shows_schedules(create: Any, admin_client: Client) -> None:
    data = create(schedules=[{"schedule": HOURLY, "slug": "hourly"}])
    page = admin_client.get(f"/admin/flowruns/deployment/{data['id']}/change/")
    assert page.status_code == 200
    assert b"hourly" in page.content and b"3600.0" in page.content


def test_actions_pause_resume_and_run_now(create: Any, admin_client: Client) -> None:
    data = create()
    _act(admin_client, "pause_deployments", data["id"])
    assert Deployment.objects.get(pk=data["id"]).paused
    _act(admin_client, "resume_deployments", data["id"])
    assert not Deployment.objects.get(pk=data["id"]).paused
    _act(admin_client, "run_deployments_now", data["id"])
    run = FlowRun.objects.get(deployment_id=data["id"])
    assert (run.state_type, run.parameters) == ("SCHEDULED", {"name": "srv"})
