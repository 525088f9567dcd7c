"""No N+1 on any list page: the query count does not grow with the rows shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flowruns.models import StateType
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    FlowRunFactory,
    FlowRunInputFactory,
    LogFactory,
    TaskRunFactory,
    WorkQueueFactory,
)

pytestmark = pytest.mark.django_db

# The most queries each list page may make (session, user, the page's own queries).
PAGES = {
    "/admin/flowruns/flowrun/": 6,  # + flow names, top tags, capped count, rows
    "/admin/": 18,  # the dashboard (history, late, stuck, busiest, services) + recent actions
    "/admin/flowruns/flow/": 4,
    "/admin/flowruns/deployment/": 4,
    "/admin/flowruns/workpool/": 4,
    "/admin/flowruns/workqueue/": 4,
    "/admin/flowruns/taskrun/": 4,
    "/admin/flowruns/flowruninput/": 4,
    "/admin/logs_app/log/": 6,  # + the names of the flow runs and task runs shown
}


def seed(n: int) -> None:
    for _ in range(n):
        flow = FlowFactory.create()
        queue = WorkQueueFactory.create()
        deployment = DeploymentFactory.create(flow=flow, work_queue=queue)
        run = FlowRunFactory.create(
            flow=flow,
            deployment_id=deployment.id,
            state_type=StateType.COMPLETED,
            with_state=True,
            tags=["a", "b"],
        )
        TaskRunFactory.create(flow_run=run, state_type=StateType.COMPLETED)
        FlowRunInputFactory.create(flow_run=run)
        LogFactory.create(flow_run_id=run.id)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("url", list(PAGES))
def test_list_page_query_count_does_not_grow_with_rows(admin_client, url):
    seed(30)
    with_30 = queries_for(admin_client, url)
    seed(15)
    with_45 = queries_for(admin_client, url)
    assert with_30 == with_45
    assert with_30 <= PAGES[url]


@pytest.mark.parametrize("url", list(PAGES))
def test_list_page_with_thirty_rows_stays_under_its_budget(
    admin_client, django_assert_max_num_queries, url
):
    seed(30)
    with django_assert_max_num_queries(PAGES[url]):
        admin_client.get(url)


def test_flow_run_detail_query_count_does_not_grow_with_history(admin_client):
    seed(1)
    run = FlowRunFactory.create(state_type=StateType.RUNNING, with_state=True)
    url = f"/admin/flowruns/flowrun/{run.pk}/change/"
    TaskRunFactory.create(flow_run=run)
    FlowRunInputFactory.create(flow_run=run)
    queries_for(admin_client, url)  # warms the content-type cache the page reads once
    few = queries_for(admin_client, url)
    for _ in range(10):
        TaskRunFactory.create(flow_run=run)
        FlowRunInputFactory.create(flow_run=run)
    assert queries_for(admin_client, url) == few
