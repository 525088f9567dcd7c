"""`POST /api/flow_runs/bulk_set_state` (api.md §6.13, orchestration.md §2.8)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.models import DeploymentConcurrencyLease, FlowRunState, StateType
from tests.factories import DeploymentFactory, FlowFactory, FlowRunFactory

pytestmark = pytest.mark.django_db

URL = "/api/flow_runs/bulk_set_state"
RESULT_KEYS = ["flow_run_id", "status", "state", "details"]


def create_run(api, state_type="SCHEDULED", tags=(), **state) -> str:
    body = {
        "flow_id": str(FlowFactory().id),
        "tags": list(tags),
        "state": {"type": state_type, **state},
    }
    response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201
    return response.json()["id"]


def bulk(api, body):
    return api.post(URL, body, format="json")


def read(api, run_id) -> dict:
    return api.get(f"/api/flow_runs/{run_id}").json()


def by_run(response) -> dict[str, dict]:
    results = response.json()["results"]
    return {result["flow_run_id"]: result for result in results}


def test_cancelling_scheduled_runs_cancels_each_selected_run(api):
    batch = [create_run(api, tags=["batch"]) for _ in range(3)]
    other = create_run(api, tags=["other"])

    response = bulk(
        api, {"flow_runs": {"tags": {"all_": ["batch"]}}, "state": {"type": "CANCELLING"}}
    )

    assert response.status_code == 200
    assert list(response.json()) == ["results"]
    results = by_run(response)
    assert set(results) == set(batch)
    for run_id, result in results.items():
        assert sorted(result) == sorted(RESULT_KEYS)
        assert result["status"] == "REJECT"
        assert result["details"] == {
            "type": "reject_details",
            "reason": "Scheduled flow run has no infrastructure to terminate.",
        }
        assert result["state"]["type"] == "CANCELLED"
        assert result["state"]["state_details"]["flow_run_id"] == run_id
        run = read(api, run_id)
        assert run["state_type"] == "CANCELLED"
        assert run["state_id"] == result["state"]["id"]
    assert read(api, other)["state_type"] == "SCHEDULED"


def test_each_run_gets_its_own_outcome(api):
    running = create_run(api, "RUNNING")
    cancelling = create_run(api, "CANCELLING")

    response = bulk(
        api,
        {"flow_runs": {"id": {"any_": [running, cancelling]}}, "state": {"type": "COMPLETED"}},
    )

    results = by_run(response)
    assert results[running]["status"] == "ACCEPT"
    assert results[running]["details"] == {"type": "accept_details"}
    assert results[running]["state"]["type"] == "COMPLETED"
    assert results[cancelling]["status"] == "REJECT"
    assert results[cancelling]["details"]["reason"] == (
        "Cannot transition flows that are cancelling to a state other than Cancelled."
    )
    assert results[cancelling]["state"]["type"] == "CANCELLING"
    assert read(api, running)["state_type"] == "COMPLETED"
    assert read(api, cancelling)["state_type"] == "CANCELLING"


def test_waits_are_reported_per_run_and_force_skips_them(api):
    later = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    runs = [
        create_run(api, tags=["future"], state_details={"scheduled_time": later}) for _ in range(2)
    ]
    body = {"flow_runs": {"tags": {"all_": ["future"]}}, "state": {"type": "RUNNING"}}

    waited = by_run(bulk(api, body))
    assert {r["status"] for r in waited.values()} == {"WAIT"}
    assert all(r["details"]["type"] == "wait_details" for r in waited.values())
    assert all(590 <= r["details"]["delay_seconds"] <= 600 for r in waited.values())
    assert all(read(api, run_id)["state_type"] == "SCHEDULED" for run_id in runs)

    forced = by_run(bulk(api, {**body, "force": True}))
    assert set(forced) == set(runs)
    assert {r["status"] for r in forced.values()} == {"ACCEPT"}
    for run_id in runs:
        run = read(api, run_id)
        assert (run["state_type"], run["run_count"]) == ("RUNNING", 1)


def test_limit_defaults_to_fifty(api):
    flow = FlowFactory()
    for _ in range(51):
        FlowRunFactory(flow=flow, tags=["many"], state_type=StateType.RUNNING, with_state=True)
    response = bulk(
        api, {"flow_runs": {"tags": {"all_": ["many"]}}, "state": {"type": "COMPLETED"}}
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 50
    assert FlowRunState.objects.filter(type=StateType.COMPLETED).count() == 50


def test_limit_selects_runs_in_descending_id_order(api):
    runs = [create_run(api, "RUNNING", tags=["few"]) for _ in range(4)]
    response = bulk(
        api,
        {"flow_runs": {"tags": {"all_": ["few"]}}, "state": {"type": "COMPLETED"}, "limit": 2},
    )
    assert set(by_run(response)) == set(sorted(runs, key=uuid.UUID, reverse=True)[:2])
    completed = [run_id for run_id in runs if read(api, run_id)["state_type"] == "COMPLETED"]
    assert len(completed) == 2


@pytest.mark.parametrize(
    ("limit", "error_type"), [(0, "greater_than_equal"), (51, "less_than_equal")]
)
def test_limit_must_be_between_one_and_fifty(api, limit, error_type):
    run_id = create_run(api, "RUNNING")
    response = bulk(api, {"state": {"type": "COMPLETED"}, "limit": limit})
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert error["type"] == error_type
    assert error["loc"] == ["body", "limit"]
    assert read(api, run_id)["state_type"] == "RUNNING"


def test_without_a_filter_every_run_is_selected(api):
    runs = [create_run(api, "RUNNING") for _ in range(2)]
    response = bulk(api, {"state": {"type": "COMPLETED"}})
    assert set(by_run(response)) == set(runs)


def test_no_matching_run_gives_empty_results(api):
    create_run(api, tags=["a"])
    response = bulk(api, {"flow_runs": {"tags": {"all_": ["zzz"]}}, "state": {"type": "CANCELLED"}})
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_missing_state_is_a_422(api):
    response = bulk(api, {"flow_runs": {"tags": {"all_": ["a"]}}})
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["exception_detail"]] == [
        ("missing", ["body", "state"])
    ]


def test_unknown_keys_inside_the_filter_are_a_422(api):
    response = bulk(
        api, {"flow_runs": {"colour": {"any_": ["red"]}}, "state": {"type": "CANCELLED"}}
    )
    assert response.status_code == 422


def test_explicit_null_filter_selects_every_run(api):
    runs = [create_run(api, "RUNNING") for _ in range(2)]
    response = bulk(api, {"flow_runs": None, "state": {"type": "COMPLETED"}})
    assert set(by_run(response)) == set(runs)


def test_limit_and_force_accept_lax_strings(api):
    later = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    for _ in range(3):
        create_run(api, state_details={"scheduled_time": later})
    response = bulk(api, {"state": {"type": "RUNNING"}, "limit": "2", "force": "yes"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 2
    assert {r["status"] for r in results} == {"ACCEPT"}


def test_bulk_takes_deployment_slots_run_by_run(api):
    deployment = DeploymentFactory(concurrency_limit=1)
    body = {
        "flow_id": str(deployment.flow_id),
        "deployment_id": str(deployment.id),
        "state": {"type": "SCHEDULED"},
    }
    runs = [api.post("/api/flow_runs/", body, format="json").json()["id"] for _ in range(3)]

    response = bulk(
        api,
        {
            "flow_runs": {"deployment_id": {"any_": [str(deployment.id)]}},
            "state": {"type": "PENDING"},
        },
    )

    results = by_run(response)
    assert set(results) == set(runs)
    statuses = sorted(r["status"] for r in results.values())
    assert statuses == ["ACCEPT", "REJECT", "REJECT"]
    assert all(
        r["state"]["name"] == "AwaitingConcurrencySlot"
        for r in results.values()
        if r["status"] == "REJECT"
    )
    assert DeploymentConcurrencyLease.objects.filter(deployment_id=deployment.id).count() == 1
