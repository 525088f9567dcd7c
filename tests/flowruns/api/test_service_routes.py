import pytest

pytestmark = pytest.mark.django_db


def test_health_answers_true(api):
    response = api.get("/api/health")
    assert response.status_code == 200
    assert response.json() is True


def test_version_is_the_api_version(api):
    assert api.get("/api/version").json() == "0.8.4"


def test_admin_version_is_a_json_string_with_major_version_3(api):
    response = api.get("/api/admin/version")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    version = response.json()
    assert isinstance(version, str)
    assert version.split(".")[0] == "3"


def test_csrf_token_says_protection_is_disabled_so_the_client_turns_it_off(api):
    response = api.get("/api/csrf-token?client=abc")
    assert response.status_code == 422
    assert "CSRF protection is disabled." in response.json()["detail"]


def test_unknown_api_route_is_a_json_404(api):
    response = api.get("/api/no/such/route")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_wrong_method_is_a_json_405(api):
    response = api.delete("/api/health")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


@pytest.mark.parametrize("header", ["abc", "1.0", "0.8.3x"])
def test_malformed_api_version_header_is_rejected(api, header):
    response = api.get("/api/health", HTTP_X_PREFECT_API_VERSION=header)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid X-PREFECT-API-VERSION header format."
        f"Expected header in format 'x.y.z' but received {header}"
    }


def test_too_old_api_version_is_rejected(api):
    response = api.get("/api/health", HTTP_X_PREFECT_API_VERSION="0.7.9")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request specified API version 0.7.9 but this server requires "
        "version 0.8.0 or higher."
    }


@pytest.mark.parametrize("header", ["0.8.0", "0.8.4", "9.9.9"])
def test_current_and_newer_api_versions_are_accepted(api, header):
    assert api.get("/api/health", HTTP_X_PREFECT_API_VERSION=header).status_code == 200


def test_openapi_schema_documents_the_flow_run_routes(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/flow_runs/" in paths
    assert "/api/flow_runs/{id}" in paths
