import uuid

import pytest

from flowruns.models import Flow, FlowRun
from tests.factories import FlowFactory, FlowRunFactory

pytestmark = pytest.mark.django_db

FLOW_KEYS = ["id", "created", "updated", "name", "tags", "labels"]


def test_create_flow_returns_201_and_the_full_flow(api):
    response = api.post("/api/flows/", {"name": "etl", "tags": ["a"]}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert list(body) == FLOW_KEYS
    assert body["name"] == "etl"
    assert body["tags"] == ["a"]
    assert body["labels"] == {}
    assert body["created"].endswith("Z")
    assert Flow.objects.filter(pk=body["id"]).exists()


def test_create_flow_with_an_existing_name_returns_it_unchanged_with_200(api):
    first = api.post("/api/flows/", {"name": "etl", "tags": ["a"]}, format="json").json()
    response = api.post("/api/flows/", {"name": "etl", "tags": ["b"]}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == first["id"]
    assert response.json()["tags"] == ["a"]


@pytest.mark.parametrize("name", ["a/b", "50%", "x&y", "<tag>", ""])
def test_create_flow_rejects_names_with_forbidden_characters(api, name):
    response = api.post("/api/flows/", {"name": name}, format="json")
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert error["type"] == "string_pattern_mismatch"
    assert error["loc"] == ["body", "name"]
    assert error["msg"] == "String should match pattern '^[^/%&><]+$'"


def test_create_flow_rejects_unknown_keys(api):
    response = api.post("/api/flows/", {"name": "x", "bogus": 1}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "exception_message": "Invalid request received.",
        "exception_detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "bogus"],
                "msg": "Extra inputs are not permitted",
                "input": 1,
            }
        ],
        "request_body": {"name": "x", "bogus": 1},
    }


def test_create_flow_without_slash_is_served_not_redirected(api):
    response = api.post("/api/flows", {"name": "no-slash"}, format="json")
    assert response.status_code == 201


def test_invalid_json_is_a_422_with_the_raw_body(api):
    response = api.generic("POST", "/api/flows/", "{nope", content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["exception_detail"][0]["type"] == "json_invalid"
    assert body["request_body"] == "{nope"


def test_body_without_content_type_is_parsed_as_json(api):
    response = api.generic("POST", "/api/flows/", '{"name": "ct-less"}', content_type="")
    assert response.status_code == 201


def test_read_flow_by_id_and_by_name(api):
    flow = FlowFactory(name="reader")
    assert api.get(f"/api/flows/{flow.id}").json()["name"] == "reader"
    assert api.get("/api/flows/name/reader").json()["id"] == str(flow.id)


def test_read_flow_accepts_ids_without_dashes_and_in_upper_case(api):
    flow = FlowFactory()
    assert api.get(f"/api/flows/{flow.id.hex.upper()}").status_code == 200


def test_read_unknown_flow_is_404(api):
    response = api.get(f"/api/flows/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow not found"}
    assert api.get("/api/flows/name/missing").json() == {"detail": "Flow not found"}


def test_non_uuid_id_does_not_match_the_route(api):
    response = api.get("/api/flows/not-a-uuid")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_patch_flow_replaces_tags_and_returns_204(api):
    flow = FlowFactory(tags=["old"])
    response = api.patch(f"/api/flows/{flow.id}", {"tags": ["new"]}, format="json")
    assert response.status_code == 204
    assert response.content == b""
    flow.refresh_from_db()
    assert flow.tags == ["new"]


def test_patch_flow_rejects_other_fields(api):
    flow = FlowFactory()
    response = api.patch(f"/api/flows/{flow.id}", {"name": "renamed"}, format="json")
    assert response.status_code == 422


def test_patch_unknown_flow_is_404(api):
    response = api.patch(f"/api/flows/{uuid.uuid4()}", {"tags": []}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow not found"}


def test_delete_flow_cascades_to_its_runs(api):
    run = FlowRunFactory()
    response = api.delete(f"/api/flows/{run.flow_id}")
    assert response.status_code == 204
    assert not Flow.objects.filter(pk=run.flow_id).exists()
    assert not FlowRun.objects.filter(pk=run.pk).exists()


def test_delete_unknown_flow_is_404(api):
    assert api.delete(f"/api/flows/{uuid.uuid4()}").status_code == 404
