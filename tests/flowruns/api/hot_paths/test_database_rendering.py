"""On PostgreSQL, `/flow_runs/filter` and `/paginate` answer with JSON the database renders
(`flowruns.selectors.flow_run_json`). Every run here is answered both ways, by the database and
by the Python serializer the routes used before (and SQLite still uses), and the answers must be
the same JSON: state details with defaults, policies, labels, nulls, work pools, parent task
runs, microseconds or none, late and running runs' live estimates, Unicode and escapes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flowruns.api.serializers import FlowRunSerializer
from flowruns.models import FlowRun
from flowruns.selectors.flow_run_json import flow_runs_json_by_ids
from flowruns.selectors.flow_run_queries import flow_runs_by_ids
from orchestration.states import STATE_DETAILS_DEFAULTS
from tests.factories import FlowFactory, FlowRunFactory, FlowRunStateFactory, WorkQueueFactory
from tests.flowruns.api.hot_paths.bodies import full_run_body
from tests.flowruns.api.task_runs.helpers import create_flow_run, new_task

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

VIEWS = "flowruns.api.views"
NOW = datetime(2031, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)


def _python(ids: list[str]) -> list[dict]:
    rows = flow_runs_by_ids([uuid.UUID(one) for one in ids])
    data = FlowRunSerializer(rows, many=True, context={"now": NOW}).data
    return json.loads(json.dumps(data))


def _database(ids: list[str]) -> list[dict]:
    return json.loads(flow_runs_json_by_ids(ids, now=NOW))


def _assert_same(ids: list[str]) -> list[dict]:
    rendered = _database(ids)
    assert rendered == _python(ids)
    assert [run["id"] for run in rendered] == ids
    return rendered


def _post(api, body) -> str:
    with mock.patch.object(timezone, "now", return_value=NOW):
        response = api.post("/api/flow_runs/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_full_run_with_details_parameters_tags_labels_and_policy(api):
    flow = FlowFactory(labels={"team": "data"})
    run_id = _post(api, full_run_body(str(flow.id), 'naïve "run" ✓\\ \n\t'))
    (run,) = _assert_same([run_id])
    assert run["name"] == 'naïve "run" ✓\\ \n\t'
    assert run["state"]["state_details"]["cache_key"] == "c"
    assert run["state"]["state_details"]["deferred"] is False
    assert run["empirical_policy"]["pause_keys"] == ["p"]


def test_runs_without_state_and_with_null_fields_keep_prefect_defaults(api):
    bare = FlowRunFactory(parameters={}, tags=[], labels=None, empirical_policy={})
    nulls = FlowRunFactory(
        empirical_policy={"pause_keys": None, "retry_delay_seconds": None, "resuming": None},
        job_variables=None,
        created_by=None,
    )
    (first, second) = _assert_same([str(bare.id), str(nulls.id)])
    assert first["state"] is None and first["labels"] == {}
    assert first["empirical_policy"]["max_retries"] == 0
    assert second["empirical_policy"]["pause_keys"] == []
    assert second["empirical_policy"]["resuming"] is None


def test_stored_state_details_with_keys_missing_or_extra_are_rendered_with_defaults(api):
    """The state details are copied as stored only when they hold exactly Prefect's keys."""
    runs = [_post(api, {"flow_id": str(FlowFactory().id), "state": {"type": "PENDING"}})]
    runs += [str(FlowRunFactory().id) for _ in range(3)]
    stored = [
        None,  # as the state change wrote them: every key
        {"cache_key": "k", "pause_key": 'a "quoted" key'},  # some keys missing
        {**STATE_DETAILS_DEFAULTS, "not_prefect": 1},  # every key and one more
        {},
    ]
    for run_id, details in zip(runs, stored, strict=True):
        run = FlowRun.objects.get(pk=run_id)
        state = run.state or FlowRunStateFactory(flow_run=run)
        if details is not None:
            state.state_details = details
            state.save(update_fields=["state_details"])
        FlowRun.objects.filter(pk=run_id).update(state=state)

    answers = _assert_same(runs)

    for answer in answers:
        assert set(answer["state"]["state_details"]) == set(STATE_DETAILS_DEFAULTS)
    assert answers[1]["state"]["state_details"]["pause_key"] == 'a "quoted" key'
    assert answers[1]["state"]["state_details"]["deferred"] is False
    assert "not_prefect" not in answers[2]["state"]["state_details"]


def test_retry_policies_render_as_the_serializer_renders_them_each_time(api):
    policies = [
        {"max_retries": 3, "retry_delay_seconds": 2.5, "retries": 3, "retry_delay": 2},
        {"max_retries": None, "retry_delay_seconds": "5", "pause_keys": ["k"]},
        {"max_retries": 3, "retry_delay_seconds": 2.5, "retries": 3, "retry_delay": 2},
        {},
    ]
    runs = [str(FlowRunFactory(empirical_policy=policy).id) for policy in policies]

    first, second, third, missing = _assert_same(runs)
    assert _assert_same(runs) == [first, second, third, missing]  # rendered again: the same

    assert first["empirical_policy"]["retry_delay_seconds"] == 2.5
    assert first["empirical_policy"] == third["empirical_policy"]
    assert second["empirical_policy"]["pause_keys"] == ["k"]
    assert missing["empirical_policy"]["max_retries"] == 0


def test_timestamps_with_and_without_microseconds(api):
    whole = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    fraction = datetime(2030, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)
    run = FlowRunFactory(expected_start_time=whole, start_time=fraction, end_time=None)
    (answer,) = _assert_same([str(run.id)])
    assert answer["expected_start_time"] == "2030-01-02T03:04:05Z"
    assert answer["start_time"] == "2030-01-02T03:04:05.500000Z"
    assert answer["end_time"] is None


def test_running_late_and_finished_runs_estimate_against_the_same_now(api):
    running = FlowRunFactory(
        state_type="RUNNING",
        state_timestamp=NOW - timedelta(seconds=42, microseconds=7),
        total_run_time=3.25,
        expected_start_time=NOW - timedelta(minutes=5),
        start_time=NOW - timedelta(minutes=4),
    )
    late = FlowRunFactory(state_type="SCHEDULED", expected_start_time=NOW - timedelta(hours=2))
    stateless = FlowRunFactory(expected_start_time=NOW - timedelta(hours=1))
    finished = FlowRunFactory(
        state_type="COMPLETED", expected_start_time=NOW - timedelta(hours=3), start_time=None
    )
    ids = [str(running.id), str(late.id), str(finished.id), str(stateless.id)]
    answers = _assert_same(ids)
    assert answers[0]["estimated_run_time"] == pytest.approx(45.250007)
    assert answers[0]["estimated_start_time_delta"] == 60.0
    assert answers[1]["estimated_start_time_delta"] == 7200.0
    assert answers[2]["estimated_start_time_delta"] == 0
    assert answers[3]["estimated_start_time_delta"] == 3600.0  # no state: not finished


def test_run_in_a_work_pool_with_a_parent_task_run_and_a_deployment(api):
    queue = WorkQueueFactory()
    parent = create_flow_run(api)
    task = new_task(api, flow_run_id=parent["id"])
    run_id = _post(
        api,
        {
            "flow_id": str(FlowFactory().id),
            "work_pool_name": queue.work_pool.name,
            "work_queue_name": queue.name,
            "parent_task_run_id": task["id"],
            "deployment_id": "6a1c1d1e-1d2f-4c8a-9a3b-5a4b3c2d1e0f",
            "state": {"type": "PENDING"},
        },
    )
    (answer,) = _assert_same([run_id])
    assert answer["work_pool_name"] == queue.work_pool.name
    assert answer["work_queue_name"] == queue.name


def test_ids_keep_their_order_and_missing_ones_are_skipped(api):
    runs = [str(FlowRunFactory(state_type="COMPLETED").id) for _ in range(5)]
    order = [runs[3], runs[0], "00000000-0000-4000-8000-000000000001", runs[4]]
    answers = _database(order)
    assert [run["id"] for run in answers] == [runs[3], runs[0], runs[4]]
    assert flow_runs_json_by_ids([], now=NOW) == b"[]"


@pytest.mark.parametrize("sort", ["EXPECTED_START_TIME_DESC", "NAME_ASC", "ID_DESC"])
def test_filter_and_paginate_answer_what_the_python_renderer_answers(api, sort):
    flow = FlowFactory()
    for i in range(12):
        FlowRunFactory(
            flow=flow,
            state_type=("COMPLETED", "FAILED", "SCHEDULED")[i % 3],
            tags=[f"team-{i % 2}"],
            expected_start_time=NOW - timedelta(hours=i),
        )
    body = {"flow_runs": {"tags": {"all_": ["team-0"]}}, "sort": sort, "limit": 4, "offset": 1}
    page = {"flow_runs": {"tags": {"all_": ["team-0"]}}, "sort": sort, "limit": 4, "page": 2}

    def both(path: str, query: dict) -> list:
        answers = []
        for database_renders in (True, False):
            with (
                mock.patch.object(timezone, "now", return_value=NOW),
                mock.patch(f"{VIEWS}.routes.renders_json", return_value=database_renders),
                mock.patch(f"{VIEWS}.flow_run_queries.renders_json", return_value=database_renders),
                CaptureQueriesContext(connection) as captured,
            ):
                response = api.post(path, query, format="json")
            assert response.status_code == 200, response.content
            rendered_by_database = any("to_char(" in q["sql"] for q in captured.captured_queries)
            assert rendered_by_database is database_renders
            assert response["Content-Type"] == "application/json"
            answers.append(response.json())
        return answers

    rendered, python = both("/api/flow_runs/filter", body)
    assert rendered == python and len(rendered) == 4
    rendered, python = both("/api/flow_runs/paginate", page)
    assert rendered == python
    assert (rendered["count"], rendered["pages"], rendered["page"]) == (6, 2, 2)
    assert len(rendered["results"]) == 2
    assert FlowRun.objects.count() == 12
