"""Durations are bounded at the edge, so no `now + delay` can leave the calendar: a run
created with the longest retry delay can still fail (and be scheduled for retry)."""

from __future__ import annotations

import pytest

from flowruns.api.schemas.bounds import MAX_DURATION_SECONDS, MAX_JITTER_FACTOR
from flowruns.models import FlowRun, TaskRun
from tests.factories import FlowFactory, FlowRunFactory

from .helpers import detail

pytestmark = pytest.mark.django_db


def create_run(api, **body):
    body["flow_id"] = str(FlowFactory().id)
    return api.post("/api/flow_runs/", body, format="json")


@pytest.mark.parametrize(
    "policy",
    [
        {"retries": 1, "retry_delay": 10**14},
        {"retries": 1, "retry_delay": -(10**14)},
        {"max_retries": 1, "retry_delay_seconds": 1e300},
        {"retries": 1, "retry_delay": MAX_DURATION_SECONDS + 1},
    ],
)
def test_a_retry_delay_beyond_the_bound_is_refused(api, policy):
    response = create_run(api, empirical_policy=policy)
    assert response.status_code == 422
    (error,) = detail(response)
    field = next(iter(k for k in policy if k.startswith("retry_delay")))
    assert error["loc"] == ["body", "empirical_policy", field]
    assert not FlowRun.objects.exists()


def test_a_run_with_the_longest_retry_delay_can_still_fail(api):
    policy = {"retries": 1, "retry_delay": MAX_DURATION_SECONDS}
    response = create_run(api, state={"type": "RUNNING"}, empirical_policy=policy)
    assert response.status_code == 201, response.content
    run_id = response.json()["id"]
    failed = api.post(
        f"/api/flow_runs/{run_id}/set_state", {"state": {"type": "FAILED"}}, format="json"
    )
    assert failed.status_code == 201
    assert failed.json()["state"]["name"] == "AwaitingRetry"


def test_updating_a_run_with_an_unbounded_delay_is_refused(api):
    run = FlowRunFactory()
    body = {"empirical_policy": {"retries": 1, "retry_delay": 10**14}}
    response = api.patch(f"/api/flow_runs/{run.id}", body, format="json")
    assert response.status_code == 422
    run.refresh_from_db()
    assert run.empirical_policy.get("retry_delay") != 10**14


@pytest.mark.parametrize(
    ("policy", "loc"),
    [
        ({"retries": 1, "retry_delay": [1, 10**14]}, ["retry_delay"]),
        ({"retries": 1, "retry_delay": 1e300}, ["retry_delay"]),
        ({"retries": 1, "retry_jitter_factor": MAX_JITTER_FACTOR + 1}, ["retry_jitter_factor"]),
    ],
)
def test_task_run_delays_and_jitter_are_bounded(api, policy, loc):
    run = FlowRunFactory()
    body = {
        "flow_run_id": str(run.id),
        "task_key": "t",
        "dynamic_key": "0",
        "empirical_policy": policy,
    }
    response = api.post("/api/task_runs/", body, format="json")
    assert response.status_code == 422
    assert all(e["loc"][:3] == ["body", "empirical_policy", *loc] for e in detail(response))
    assert not TaskRun.objects.exists()
