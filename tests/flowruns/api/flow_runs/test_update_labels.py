"""`PATCH /api/flow_runs/{id}/labels`: a shallow merge into the run's labels."""

from __future__ import annotations

import uuid

import pytest

from .helpers import create

pytestmark = pytest.mark.django_db


def test_labels_patch_merges_shallowly(api):
    created = create(api, labels={"a": 1, "b": "x"}).json()
    response = api.patch(
        f"/api/flow_runs/{created['id']}/labels", {"b": "y", "c": True}, format="json"
    )
    assert response.status_code == 204
    labels = api.get(f"/api/flow_runs/{created['id']}").json()["labels"]
    assert labels == {"prefect.flow.id": created["flow_id"], "a": 1, "b": "y", "c": True}


def test_labels_patch_rejects_non_scalar_values(api):
    created = create(api).json()
    response = api.patch(f"/api/flow_runs/{created['id']}/labels", {"a": [1]}, format="json")
    assert response.status_code == 422
    response = api.patch(f"/api/flow_runs/{created['id']}/labels", [1], format="json")
    assert response.status_code == 422


def test_labels_patch_on_unknown_run_is_404_with_exception_message(api):
    run_id = uuid.uuid4()
    response = api.patch(f"/api/flow_runs/{run_id}/labels", {"a": 1}, format="json")
    assert response.status_code == 404
    assert response.json() == {"exception_message": f"Flow run with id {run_id} not found"}
