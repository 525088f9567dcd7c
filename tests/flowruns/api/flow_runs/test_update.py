"""`PATCH /api/flow_runs/{id}`: only the given fields change."""

from __future__ import annotations

import uuid

import pytest

from tests.flowruns.api.set_state.helpers import parse

from .helpers import create

pytestmark = pytest.mark.django_db


def test_patch_writes_only_given_fields(api):
    created = create(api, name="keep", tags=["a"], flow_version="1").json()
    response = api.patch(
        f"/api/flow_runs/{created['id']}", {"tags": ["b"], "flow_version": None}, format="json"
    )
    assert response.status_code == 204
    body = api.get(f"/api/flow_runs/{created['id']}").json()
    assert body["tags"] == ["b"]
    assert body["flow_version"] is None
    assert body["name"] == "keep"
    assert parse(body["updated"]) > parse(created["updated"])


@pytest.mark.parametrize("name", [None, ""])
def test_patch_with_empty_name_gives_a_fresh_random_name(api, name):
    created = create(api, name="named").json()
    api.patch(f"/api/flow_runs/{created['id']}", {"name": name}, format="json")
    new_name = api.get(f"/api/flow_runs/{created['id']}").json()["name"]
    assert new_name != "named"
    assert len(new_name.split("-")) == 2


def test_patch_empirical_policy_replaces_it_whole(api):
    created = create(api, empirical_policy={"retries": 3, "retry_delay": 5}).json()
    api.patch(
        f"/api/flow_runs/{created['id']}", {"empirical_policy": {"retries": 1}}, format="json"
    )
    policy = api.get(f"/api/flow_runs/{created['id']}").json()["empirical_policy"]
    assert policy["retries"] == 1
    assert policy["retry_delay"] is None


def test_patch_rejects_unknown_fields_and_missing_body(api):
    created = create(api).json()
    assert (
        api.patch(f"/api/flow_runs/{created['id']}", {"labels": {}}, format="json").status_code
        == 422
    )
    response = api.generic("PATCH", f"/api/flow_runs/{created['id']}", "")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"] == ["body"]


def test_patch_unknown_run_is_404(api):
    response = api.patch(f"/api/flow_runs/{uuid.uuid4()}", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}
