"""`PATCH /api/flow_runs/{id}` of job variables: scheduled deployment runs only, checked
against the work pool's job template."""

from __future__ import annotations

import pytest

from tests.factories import DeploymentFactory, WorkPoolFactory, WorkQueueFactory

from .helpers import create

pytestmark = pytest.mark.django_db


def test_job_variables_can_only_change_on_scheduled_runs(api):
    created = create(api).json()
    response = api.patch(
        f"/api/flow_runs/{created['id']}", {"job_variables": {"a": 1}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Job variables for a flow run in state PENDING cannot be updated"
    }


def scheduled_deployment_run(api, template_variables):
    pool = WorkPoolFactory(base_job_template={"variables": template_variables})
    queue = WorkQueueFactory(work_pool=pool, name="default")
    deployment = DeploymentFactory(work_queue=queue, job_variables={"image": "base"})
    body = {"flow_id": str(deployment.flow_id), "deployment_id": str(deployment.id)}
    return create(api, state={"type": "SCHEDULED"}, **body).json()["id"]


def test_job_variables_are_validated_against_the_pools_job_template(api):
    schema = {
        "type": "object",
        "properties": {"image": {"type": "string"}, "cpu": {"type": "integer", "default": 1}},
        "required": ["image"],
    }
    run_id = scheduled_deployment_run(api, schema)

    ok = api.patch(f"/api/flow_runs/{run_id}", {"job_variables": {"cpu": 2}}, format="json")
    assert ok.status_code == 204
    assert api.get(f"/api/flow_runs/{run_id}").json()["job_variables"] == {"cpu": 2}

    bad = api.patch(f"/api/flow_runs/{run_id}", {"job_variables": {"cpu": "two"}}, format="json")
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": "Error updating flow run: Validation failed for field 'cpu'. "
        "Failure reason: 'two' is not of type 'integer'"
    }
    assert api.get(f"/api/flow_runs/{run_id}").json()["job_variables"] == {"cpu": 2}


def test_job_variables_without_a_deployment_are_refused(api):
    run_id = create(api, state={"type": "SCHEDULED"}).json()["id"]
    response = api.patch(f"/api/flow_runs/{run_id}", {"job_variables": {"a": 1}}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "A deployment for the flow run could not be found"}
