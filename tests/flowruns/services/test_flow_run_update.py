"""`flow_run_update` decides on the run's state under the run's row lock (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections, transaction

from flowruns.errors import DetailError
from flowruns.services.flow_runs import flow_run_update
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from flowruns.services.states import flow_run_set_state
from tests.factories import DeploymentFactory, FlowRunFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_job_variables_update_waits_for_a_transition_in_flight_and_sees_its_outcome():
    deployment = DeploymentFactory.create()
    run = FlowRunFactory.create(
        flow=deployment.flow, deployment_id=deployment.pk, state_type="SCHEDULED", with_state=True
    )
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def claim_the_run() -> None:  # a worker moving the run to PENDING, slow to commit
        try:
            with transaction.atomic():
                claim = StateProposal(type="PENDING")
                flow_run_set_state(flow_run_id=run.pk, state=claim, call=OrchestrationCall())
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    def update_job_variables() -> None:  # the PATCH, with the run as read before the claim
        try:
            flow_run_update(run=run, changes={"job_variables": {"image": "new"}})
            outcome["result"] = "updated"
        except DetailError as exc:
            outcome["result"] = (exc.status_code, exc.detail)
        finally:
            connections.close_all()

    worker = threading.Thread(target=claim_the_run)
    worker.start()
    assert holding.wait(timeout=30)
    patch = threading.Thread(target=update_job_variables)
    patch.start()
    patch.join(timeout=1)
    assert patch.is_alive(), "the update must wait for the row lock"
    release.set()
    worker.join(timeout=30)
    patch.join(timeout=30)

    assert outcome["result"] == (
        400,
        "Job variables for a flow run in state PENDING cannot be updated",
    )
    run.refresh_from_db()
    assert run.state_type == "PENDING"
    assert run.job_variables != {"image": "new"}
