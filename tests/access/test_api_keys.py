"""Per-user API keys (`Authorization: Bearer <key>`, or a key as the Basic auth string): stored
hashed with a visible prefix, revocable, and limited by their user's read/write/bulk level."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from access.levels import Level
from access.models import APIKey
from access.routes import required_level, socket_level
from flowruns.models import FlowRun
from tests.factories import FlowRunFactory

from .conftest import basic, bearer

pytestmark = pytest.mark.django_db

UNAUTHORIZED = b'{"exception_message":"Unauthorized"}'
RUN = "0190f8a0-0000-7000-8000-000000000001"


def test_a_key_is_stored_hashed_with_its_prefix_visible(make_key):
    key = make_key("alice")
    prefix, secret = key.split(".")
    row = APIKey.objects.get(prefix=prefix)
    assert row.user.username == "alice"
    assert secret not in row.hashed_key and key not in row.id
    assert row.hashed_key.startswith("sha512$$")


def test_keys_are_required_when_api_auth_required(api, keys_required):
    response = api.get("/api/flows/")
    assert (response.status_code, response.content) == (401, UNAUTHORIZED)
    assert api.get("/api/health").status_code == 200


def test_a_read_key_reads_but_cannot_write(client_with, make_key, keys_required):
    client = client_with(bearer(make_key("reader", Level.READ)))
    assert client.get("/api/flows/").status_code == 200
    assert client.post("/api/flow_runs/filter", {}, format="json").status_code == 200
    assert client.post("/api/flow_runs/count", {}, format="json").status_code == 200
    refused = client.post("/api/flows/", {"name": "etl"}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": f"apikey:{APIKey.objects.get().prefix}:reader may not use this route: "
        "it needs the access.api_write permission (write access)."
    }


def test_a_write_key_runs_flows_but_cannot_delete(client_with, make_key, keys_required):
    client = client_with(bearer(make_key("writer", Level.WRITE)))
    flow = client.post("/api/flows/", {"name": "etl"}, format="json").json()
    run = client.post("/api/flow_runs/", {"flow_id": flow["id"]}, format="json")
    assert run.status_code == 201
    run_id = run.json()["id"]
    running = {"state": {"type": "RUNNING"}}
    assert (
        client.post(f"/api/flow_runs/{run_id}/set_state", running, format="json").json()["status"]
        == "ACCEPT"
    )
    assert client.delete(f"/api/flow_runs/{run_id}").status_code == 403
    assert client.post("/api/flow_runs/bulk_delete", {}, format="json").status_code == 403
    assert client.delete(f"/api/flows/{flow['id']}").status_code == 403
    assert FlowRun.objects.filter(pk=run_id).exists()


def test_a_bulk_key_may_delete(client_with, make_key, keys_required):
    run = FlowRunFactory.create()
    client = client_with(bearer(make_key("operator", Level.BULK)))
    assert client.delete(f"/api/flow_runs/{run.pk}").status_code == 204
    assert client.post("/api/flow_runs/bulk_delete", {}, format="json").status_code == 200
    assert not FlowRun.objects.filter(pk=run.pk).exists()


def test_a_user_without_any_level_is_refused_even_reads(client_with, make_key, keys_required):
    client = client_with(bearer(make_key("nobody", None)))
    assert client.get("/api/flows/").status_code == 403


def test_superusers_hold_every_level(client_with, make_key, keys_required):
    client = client_with(bearer(make_key("root", None, is_superuser=True)))
    run = FlowRunFactory.create()
    assert client.delete(f"/api/flow_runs/{run.pk}").status_code == 204


def test_levels_granted_through_a_group_count(client_with, make_key, keys_required):
    key = make_key("grouped", None)
    group = Group.objects.create(name="API writers")
    group.permissions.add(Permission.objects.get(codename="api_write"))
    User.objects.get(username="grouped").groups.add(group)
    client = client_with(bearer(key))
    assert client.post("/api/flows/", {"name": "etl"}, format="json").status_code == 201


@pytest.mark.parametrize("change", ["revoked", "expired", "inactive user", "wrong secret"])
def test_unusable_keys_are_refused(client_with, make_key, keys_required, change):
    key = make_key("alice")
    row = APIKey.objects.get()
    if change == "revoked":
        row.revoked = True
        row.save()
    elif change == "expired":
        APIKey.objects.update(expiry_date=timezone.now() - timedelta(seconds=1))
    elif change == "inactive user":
        User.objects.update(is_active=False)
    else:
        key = key[:-1] + ("A" if key[-1] != "A" else "B")
    response = client_with(bearer(key)).get("/api/flows/")
    assert (response.status_code, response.content) == (401, UNAUTHORIZED)


@pytest.mark.parametrize("header", ["Bearer", "Bearer nodot", "Bearer .x", "Token abc.def"])
def test_malformed_bearer_values_are_refused(client_with, keys_required, header):
    assert client_with(header).get("/api/flows/").status_code == 401


def test_a_key_works_as_the_basic_auth_string_too(client_with, make_key, keys_required):
    # PREFECT_API_AUTH_STRING=<key>: one client variable for REST and the event sockets.
    client = client_with(basic(make_key("alice")))
    assert client.post("/api/flows/", {"name": "etl"}, format="json").status_code == 201


def test_keys_work_next_to_the_shared_auth_string(client_with, make_key, auth_string_on):
    assert client_with(bearer(make_key("alice", Level.READ))).get("/api/flows/").status_code == 200


def test_a_key_remembers_when_it_was_last_used(client_with, make_key, keys_required):
    key = make_key("alice")
    assert APIKey.objects.get().last_used is None
    client_with(bearer(key)).get("/api/flows/")
    assert APIKey.objects.get().last_used is not None


@pytest.mark.parametrize(
    ("method", "path", "level"),
    [
        ("GET", "flow_runs/", Level.READ),
        ("GET", f"flow_runs/{RUN}/logs/download", Level.READ),
        ("GET", "events/filter/next", Level.READ),
        ("POST", "flows/filter", Level.READ),
        ("POST", "flow_runs/filter", Level.READ),
        ("POST", "flow_runs/count", Level.READ),
        ("POST", "flow_runs/paginate", Level.READ),
        ("POST", "flow_runs/lateness", Level.READ),
        ("POST", "flow_runs/history", Level.READ),
        ("POST", "task_runs/filter", Level.READ),
        ("POST", "task_runs/count", Level.READ),
        ("POST", "logs/filter", Level.READ),
        ("POST", "events/filter", Level.READ),
        ("POST", "events/count-by/day", Level.READ),
        ("POST", f"flow_runs/{RUN}/input/filter", Level.READ),
        ("POST", "flows/", Level.WRITE),
        ("POST", "flow_runs/", Level.WRITE),
        ("POST", f"flow_runs/{RUN}/set_state", Level.WRITE),
        ("POST", f"flow_runs/{RUN}/resume", Level.WRITE),
        ("PATCH", f"flow_runs/{RUN}", Level.WRITE),
        ("PATCH", f"flow_runs/{RUN}/labels", Level.WRITE),
        ("POST", f"flow_runs/{RUN}/input", Level.WRITE),
        ("DELETE", f"flow_runs/{RUN}/input/key", Level.WRITE),
        ("POST", "task_runs/", Level.WRITE),
        ("POST", f"task_runs/{RUN}/set_state", Level.WRITE),
        ("POST", "logs/", Level.WRITE),
        ("POST", "events", Level.WRITE),
        ("POST", "v2/concurrency_limits/increment-with-lease", Level.WRITE),
        ("POST", "nope", Level.WRITE),
        ("DELETE", f"flows/{RUN}", Level.BULK),
        ("DELETE", f"flow_runs/{RUN}", Level.BULK),
        ("DELETE", f"task_runs/{RUN}", Level.BULK),
        ("POST", "flow_runs/bulk_delete", Level.BULK),
        ("POST", "flow_runs/bulk_set_state", Level.BULK),
    ],
)
def test_each_route_needs_its_documented_level(method, path, level):
    assert required_level(method, path) is level


def test_socket_levels():
    assert socket_level("events/in") is Level.WRITE
    assert socket_level("events/out") is Level.READ
    assert socket_level("logs/out") is Level.READ


def test_an_unknown_run_is_still_a_404_for_an_authorised_key(client_with, make_key, keys_required):
    client = client_with(bearer(make_key("alice", Level.READ)))
    assert client.get(f"/api/flow_runs/{uuid.uuid4()}").status_code == 404


def test_a_key_check_without_a_database_is_a_503_the_client_retries(
    client_with, keys_required, monkeypatch
):
    from django.db import OperationalError

    from access import credentials

    def unreachable(key):
        raise OperationalError("connection refused")

    monkeypatch.setattr(credentials, "from_api_key", unreachable)
    response = client_with(bearer("AbCdEfGh.secret")).get("/api/flows/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"exception_message": "Service Unavailable"}


def test_a_checked_key_is_remembered_for_a_few_seconds(client_with, make_key, keys_required):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_with(bearer(make_key("alice", Level.READ)))
    assert client.get("/api/flows/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/flows/").status_code == 200
    assert not [q for q in queries if "api_key" in q["sql"] or "auth_permission" in q["sql"]]
    # A change made by another process (no signal here) shows once the memory expires...
    APIKey.objects.update(revoked=True)
    assert client.get("/api/flows/").status_code == 200
    from access import key_cache

    key_cache._entries.clear()  # ...as if API_KEY_CACHE_SECONDS had passed
    assert client.get("/api/flows/").status_code == 401


def test_changes_made_in_this_process_apply_at_once(client_with, make_key, keys_required):
    client = client_with(bearer(make_key("alice", Level.WRITE)))
    assert client.post("/api/flows/", {"name": "etl"}, format="json").status_code == 201
    User.objects.get(username="alice").user_permissions.clear()
    assert client.post("/api/flows/", {"name": "etl"}, format="json").status_code == 403


def test_with_no_memory_every_request_checks_the_key(
    client_with, make_key, keys_required, settings
):
    settings.API_KEY_CACHE_SECONDS = 0
    client = client_with(bearer(make_key("alice", Level.READ)))
    assert client.get("/api/flows/").status_code == 200
    APIKey.objects.update(revoked=True)
    assert client.get("/api/flows/").status_code == 401
