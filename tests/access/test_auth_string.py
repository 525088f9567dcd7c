"""Prefect's shared password (auth.md §2): with PREFECT_SERVER_API_AUTH_STRING every /api
route but GET health/ready needs `Authorization: Basic base64(<auth string>)`, refused with
Prefect's exact 401; the admin keeps its own login."""

from __future__ import annotations

import pytest

from .conftest import AUTH_STRING, basic

pytestmark = pytest.mark.django_db

UNAUTHORIZED = b'{"exception_message":"Unauthorized"}'


def assert_unauthorized(response):
    assert response.status_code == 401
    if response.wsgi_request.method != "HEAD":  # the test client drops HEAD bodies
        assert response.content == UNAUTHORIZED
    assert response["Content-Type"] == "application/json"
    assert "WWW-Authenticate" not in response


@pytest.mark.parametrize(("path", "body"), [("/api/health", True), ("/api/ready", None)])
def test_health_and_ready_answer_without_credentials(api, auth_string_on, path, body):
    response = api.get(path)
    assert response.status_code == 200
    if body is not None:
        assert response.json() is body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("head", "/api/health"),
        ("head", "/api/ready"),
        ("post", "/api/health"),
        ("get", "/api/health/"),
        ("get", "/api/version"),
        ("get", "/api/admin/version"),
        ("get", "/api/hello"),
        ("get", "/api/csrf-token?client=abc"),
        ("get", "/api/nope"),  # authentication comes before routing: 401, not 404
        ("get", "/api/docs/"),
        ("get", "/api/schema/"),
        ("post", "/api/flows/filter"),
        ("post", "/api/flow_runs/bulk_delete"),
        ("get", "/api"),
    ],
)
def test_every_other_route_needs_the_credential(api, auth_string_on, method, path):
    assert_unauthorized(getattr(api, method)(path))


@pytest.mark.parametrize(
    "header",
    [
        basic("user:wrong"),
        "basic " + basic(AUTH_STRING).split()[1],  # the scheme is case-sensitive
        f"Bearer {AUTH_STRING}",
        "Basic",
        "Basic !!!",
        basic(AUTH_STRING) + " extra",
        "Basic " + "dXNlcjpwYXNz"[:-2],  # truncated base64
    ],
)
def test_wrong_credentials_are_refused(api, auth_string_on, header):
    assert_unauthorized(api.get("/api/admin/version", HTTP_AUTHORIZATION=header))


def test_the_right_credential_passes_even_with_two_spaces(api, auth_string_on):
    header = basic(AUTH_STRING).replace(" ", "  ")
    response = api.post("/api/flows/filter", {}, format="json", HTTP_AUTHORIZATION=header)
    assert response.status_code == 200
    assert response.json() == []


def test_base64_is_decoded_leniently_as_prefect_does(api, auth_string_on):
    noisy = "Basic " + "dXNl*cjpw#YXNz"  # base64 of user:pass with junk characters
    assert api.get("/api/admin/version", HTTP_AUTHORIZATION=noisy).status_code == 200


def test_csrf_token_behind_auth_is_the_disabled_422(api, auth_string_on):
    response = api.get("/api/csrf-token?client=abc", HTTP_AUTHORIZATION=basic(AUTH_STRING))
    assert response.status_code == 422
    assert response.json() == {"detail": "CSRF protection is disabled."}


def test_the_auth_string_can_write_and_delete(api, auth_string_on):
    header = basic(AUTH_STRING)
    flow = api.post("/api/flows/", {"name": "etl"}, format="json", HTTP_AUTHORIZATION=header)
    assert flow.status_code == 201
    deleted = api.delete(f"/api/flows/{flow.json()['id']}", HTTP_AUTHORIZATION=header)
    assert deleted.status_code == 204


@pytest.mark.parametrize("value", [None, ""])
def test_unset_or_empty_means_no_authentication(api, settings, value):
    settings.PREFECT_SERVER_API_AUTH_STRING = value
    assert api.get("/api/admin/version").status_code == 200
    # A header is ignored, as Prefect's open server ignores it.
    assert api.get("/api/admin/version", HTTP_AUTHORIZATION="Bearer junk").status_code == 200


def test_the_environment_variable_is_read_when_the_setting_is_absent(api, settings, monkeypatch):
    del settings.PREFECT_SERVER_API_AUTH_STRING
    monkeypatch.setenv("PREFECT_SERVER_API_AUTH_STRING", AUTH_STRING)
    assert_unauthorized(api.get("/api/version"))


def test_the_admin_keeps_its_own_login(client, admin_user, auth_string_on):
    assert client.get("/admin/login/").status_code == 200
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
