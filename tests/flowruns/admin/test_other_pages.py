"""Flows, deployments, work pools and queues, task runs and inputs: lists, searches, links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from flowruns.models import DeploymentConcurrencyLease, StateType
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    FlowRunFactory,
    FlowRunInputFactory,
    TaskRunFactory,
    WorkQueueFactory,
)

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return [str(obj) for obj in response.context["cl"].result_list]


def test_flow_list_searches_names_and_links_to_its_runs(admin_client):
    FlowFactory.create(name="nightly-etl")
    FlowFactory.create(name="report")
    response = admin_client.get("/admin/flowruns/flow/", {"q": "etl"})
    assert listed(response) == ["nightly-etl"]
    assert 'href="/admin/flowruns/flowrun/?flow=nightly-etl"' in response.content.decode()


def test_deployment_list_shows_flow_and_links_to_its_runs(admin_client):
    deployment = DeploymentFactory.create(name="daily", flow=FlowFactory.create(name="etl"))
    response = admin_client.get("/admin/flowruns/deployment/", {"q": "etl"})
    assert listed(response) == ["daily"]
    assert f'href="/admin/flowruns/flowrun/?deployment={deployment.pk}"' in (
        response.content.decode()
    )


def test_foreign_keys_are_raw_id_widgets_not_option_lists(admin_client):
    from django.contrib import admin

    from flowruns.models import Deployment, FlowRunInput, TaskRun, WorkQueue

    for model, fields in [
        (Deployment, {"flow", "work_queue"}),
        (TaskRun, {"flow_run"}),
        (FlowRunInput, {"flow_run"}),
        (WorkQueue, {"work_pool"}),
    ]:
        assert set(admin.site._registry[model].raw_id_fields) == fields


def test_work_queue_list_searches_by_pool_name(admin_client):
    WorkQueueFactory.create(name="gpu", work_pool__name="cluster-a")
    WorkQueueFactory.create(name="cpu", work_pool__name="cluster-b")
    response = admin_client.get("/admin/flowruns/workqueue/", {"q": "cluster-a"})
    assert listed(response) == ["cluster-a/gpu"]


def test_task_runs_filter_by_flow_run_and_search_by_flow_run_id(admin_client):
    run, other = FlowRunFactory.create(), FlowRunFactory.create()
    TaskRunFactory.create(flow_run=run, name="extract", state_type=StateType.COMPLETED)
    TaskRunFactory.create(flow_run=other, name="load")
    by_filter = admin_client.get("/admin/flowruns/taskrun/", {"flow_run_id": str(run.pk)})
    assert listed(by_filter) == ["extract"]
    assert ">Completed</span>" in by_filter.content.decode()
    by_search = admin_client.get("/admin/flowruns/taskrun/", {"q": str(other.pk)})
    assert listed(by_search) == ["load"]
    by_name = admin_client.get("/admin/flowruns/taskrun/", {"q": "extr"})
    assert listed(by_name) == ["extract"]


def test_inputs_filter_by_flow_run(admin_client):
    run = FlowRunFactory.create()
    FlowRunInputFactory.create(flow_run=run, key="approval")
    FlowRunInputFactory.create(key="other")
    response = admin_client.get("/admin/flowruns/flowruninput/", {"flow_run_id": str(run.pk)})
    assert listed(response) == ["approval"]


def test_deployment_page_lists_its_concurrency_leases_with_their_expiry(admin_client):
    deployment = DeploymentFactory.create(concurrency_limit=2)
    run = FlowRunFactory.create(deployment_id=deployment.id)
    expiry = timezone.now() + timedelta(minutes=5)
    lease = DeploymentConcurrencyLease.objects.create(
        deployment=deployment, flow_run=run, expires_at=expiry
    )

    page = admin_client.get(f"/admin/flowruns/deployment/{deployment.pk}/change/")

    assert page.status_code == 200
    leases = page.context["inline_admin_formsets"][0]
    assert [form.original for form in leases] == [lease]
    html = page.content.decode()
    assert "concurrency leases (one per slot in use)" in html.lower()
    assert str(lease.pk) in html and "expires at" in html.lower()
