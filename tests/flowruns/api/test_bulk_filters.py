"""`/flow_runs/bulk_delete` and `/flow_runs/bulk_set_state` select runs with every filter that
`/flow_runs/filter` takes, through the same compiler: a filter that matches nothing touches
nothing (Prefect reads only `flow_runs` there and acts on unrelated runs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flowruns.models import FlowRun
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    FlowRunFactory,
    TaskRunFactory,
    WorkQueueFactory,
)

pytestmark = pytest.mark.django_db

BULK_DELETE = "/api/flow_runs/bulk_delete"
BULK_SET_STATE = "/api/flow_runs/bulk_set_state"


def two_runs_told_apart_by(kind: str) -> tuple[FlowRun, FlowRun, dict[str, Any], dict[str, Any]]:
    """A `target` run, an `other` run, a filter matching only the target and one matching
    neither, for one body key."""
    target, other = FlowRunFactory.create_batch(2)
    if kind == "flow_runs":
        target.tags = ["wanted"]
        target.save(update_fields=["tags"])
        return target, other, {"tags": {"all_": ["wanted"]}}, {"name": {"any_": ["no-such-run"]}}
    if kind == "flows":
        target.flow = FlowFactory.create(name="wanted-flow")
        target.save(update_fields=["flow"])
        return target, other, {"name": {"any_": ["wanted-flow"]}}, {"name": {"any_": ["nope"]}}
    if kind == "deployments":
        deployment = DeploymentFactory.create(flow=target.flow, name="wanted-deployment")
        target.deployment_id = deployment.id
        target.save(update_fields=["deployment_id"])
        return target, other, {"name": {"any_": ["wanted-deployment"]}}, {"name": {"any_": ["x"]}}
    if kind == "task_runs":
        TaskRunFactory.create(flow_run=target, name="wanted-task")
        TaskRunFactory.create(flow_run=other, name="other-task")
        return target, other, {"name": {"any_": ["wanted-task"]}}, {"name": {"any_": ["nope"]}}
    queue = WorkQueueFactory.create(name="wanted-queue", work_pool__name="wanted-pool")
    other_queue = WorkQueueFactory.create(name="other-queue", work_pool__name="other-pool")
    target.work_queue = queue
    target.save(update_fields=["work_queue"])
    other.work_queue = other_queue
    other.save(update_fields=["work_queue"])
    if kind == "work_pools":
        return target, other, {"name": {"any_": ["wanted-pool"]}}, {"name": {"any_": ["nope"]}}
    assert kind == "work_pool_queues"
    return target, other, {"name": {"any_": ["wanted-queue"]}}, {"name": {"any_": ["nope"]}}


FILTER_KINDS = ["flow_runs", "flows", "deployments", "task_runs", "work_pools", "work_pool_queues"]


def remaining() -> set[str]:
    return {str(run_id) for run_id in FlowRun.objects.values_list("id", flat=True)}


def delete(api: Any, body: dict[str, Any]) -> set[str]:
    response = api.post(BULK_DELETE, body, format="json")
    assert response.status_code == 200, response.content
    return set(response.json()["deleted"])


def cancel(api: Any, body: dict[str, Any]) -> set[str]:
    """Force every selected run to CANCELLED; answers the ids the route reported."""
    body = {**body, "state": {"type": "CANCELLED"}, "force": True}
    response = api.post(BULK_SET_STATE, body, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert all(result["status"] == "ACCEPT" for result in results)
    return {result["flow_run_id"] for result in results}


def cancelled() -> set[str]:
    runs = FlowRun.objects.filter(state_type="CANCELLED").values_list("id", flat=True)
    return {str(run_id) for run_id in runs}


@pytest.mark.parametrize("kind", FILTER_KINDS)
def test_bulk_delete_deletes_only_the_runs_each_filter_kind_matches(api, kind):
    target, other, matching, _ = two_runs_told_apart_by(kind)

    assert delete(api, {kind: matching}) == {str(target.id)}

    assert remaining() == {str(other.id)}


@pytest.mark.parametrize("kind", FILTER_KINDS)
def test_bulk_delete_with_a_filter_matching_nothing_deletes_nothing(api, kind):
    target, other, _, matching_nothing = two_runs_told_apart_by(kind)

    assert delete(api, {kind: matching_nothing}) == set()

    assert remaining() == {str(target.id), str(other.id)}


@pytest.mark.parametrize("kind", FILTER_KINDS)
def test_bulk_set_state_changes_only_the_runs_each_filter_kind_matches(api, kind):
    target, _, matching, _ = two_runs_told_apart_by(kind)

    assert cancel(api, {kind: matching}) == {str(target.id)}

    assert cancelled() == {str(target.id)}


@pytest.mark.parametrize("kind", FILTER_KINDS)
def test_bulk_set_state_with_a_filter_matching_nothing_changes_nothing(api, kind):
    _, _, _, matching_nothing = two_runs_told_apart_by(kind)

    assert cancel(api, {kind: matching_nothing}) == set()

    assert cancelled() == set()


ROUTES: dict[str, Callable[[Any, dict[str, Any]], set[str]]] = {
    "bulk_delete": delete,
    "bulk_set_state": cancel,
}


@pytest.mark.parametrize("route", ROUTES)
def test_the_filters_combine_with_and(api, route):
    """The issue's example: a flow name plus a tag selects runs with both, not either."""
    etl = FlowFactory.create(name="etl")
    both = FlowRunFactory.create(flow=etl, tags=["nightly"])
    FlowRunFactory.create(flow=etl, tags=[])
    FlowRunFactory.create(tags=["nightly"])
    body = {"flows": {"name": {"any_": ["etl"]}}, "flow_runs": {"tags": {"all_": ["nightly"]}}}

    assert ROUTES[route](api, body) == {str(both.id)}


@pytest.mark.parametrize("route", ROUTES)
def test_an_empty_related_filter_restricts_as_it_does_on_filter(api, route):
    """`"task_runs": {}` keeps only runs that have a task run, exactly as `/filter` does."""
    with_task = FlowRunFactory.create()
    TaskRunFactory.create(flow_run=with_task)
    FlowRunFactory.create()
    listed = api.post("/api/flow_runs/filter", {"task_runs": {}}, format="json").json()

    assert ROUTES[route](api, {"task_runs": {}}) == {run["id"] for run in listed}
    assert {run["id"] for run in listed} == {str(with_task.id)}


@pytest.mark.parametrize("route", ["bulk_delete", "bulk_set_state"])
def test_an_unknown_key_inside_a_related_filter_is_refused_and_touches_nothing(api, route):
    FlowRunFactory.create_batch(2)
    body = {"flows": {"nmae": {"any_": ["etl"]}}, "state": {"type": "CANCELLED"}}

    response = api.post(f"/api/flow_runs/{route}", body, format="json")

    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["loc"][:2] == ["body", "flows"]
    assert len(remaining()) == 2 and cancelled() == set()
