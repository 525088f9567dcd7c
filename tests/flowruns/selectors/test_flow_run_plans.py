"""Query plans of the flow-run filter shapes on PostgreSQL: each page is read along the index
meant for it, never by a sequential scan of `flow_run` or a sort of its rows.

A plan regression (a dropped index, a query shape the planner can no longer match to its
index) is invisible in results and costs 100 to 1000 times as much at a million runs, so it
fails here. The data is the reference profile of the Prefect comparison (5,000 runs, analysed
by the seeder); `enable_seqscan` is off so that the plans do not depend on the table being
small."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from flowruns.filters.bodies import FlowRunQuery
from flowruns.filters.sorting import FlowRunSort
from flowruns.models import Flow
from flowruns.selectors.flow_run_queries import flow_runs_page

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

RUNS = 5000
FINISHED = ["COMPLETED", "FAILED"]
TEAM_FINISHED = {"flow_runs": {"tags": {"all_": ["team-3"]}, "state": {"type": {"any_": FINISHED}}}}
COMPLETED = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}}
LIVE = {"flow_runs": {"state": {"type": {"any_": ["SCHEDULED", "PENDING", "RUNNING"]}}}}
# At 5,000 runs a day holds ~170 of them: ten days and a short page keep the ratio of page to
# matches near that of one day at 1M (200 of ~33,000), which is what the planner weighs.
DAYS = {
    "flow_runs": {
        "start_time": {"after_": "2026-11-01T00:00:00Z", "before_": "2026-11-11T00:00:00Z"}
    }
}
FINISHED_NAMES = {"flow_runs": {"state": {"name": {"any_": ["Completed", "Failed"]}}}}
DEPLOYMENT = {"deployments": {"id": {"any_": ["00000000-0000-0000-0000-000000000001"]}}}


@pytest.fixture(scope="module", autouse=True)
def reference_runs(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Seeded and committed once for the module (each test still runs in its own
    transaction); emptied afterwards so that other modules start from an empty database."""
    with django_db_blocker.unblock():
        options = {"runs": RUNS, "profile": "reference", "anchor": "2026-11-22T00:00:00Z"}
        call_command(
            "seed_flow_runs",
            stdout=StringIO(),
            stderr=StringIO(),
            seed=7,
            **options,
            interactive=False,
        )
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE flow_run, flow_run_state, task_run, flow CASCADE")


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def reads_flow_run(plan: dict[str, Any]) -> bool:
    return any(node.get("Relation Name") == "flow_run" for node in plan_nodes(plan))


def page_plans(body: dict[str, Any], sort: FlowRunSort, limit: int, offset: int) -> list[Any]:
    """The plan of each statement `flow_runs_page` runs for this request."""
    statements: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    where = FlowRunQuery.model_validate(body).q()
    with connection.execute_wrapper(capture):
        flow_runs_page(where=where, sort=sort, limit=limit, offset=offset)
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, params in statements:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            found = cursor.fetchone()[0]
            plans.append((json.loads(found) if isinstance(found, str) else found)[0]["Plan"])
    return plans


def flow_run_indexes(plan: dict[str, Any]) -> set[str]:
    """Indexes read for `flow_run` rows (a bitmap index scan names its table on its parent)."""
    found = set()
    for node in plan_nodes(plan):
        if node.get("Relation Name") != "flow_run":
            continue
        if node["Node Type"] == "Bitmap Heap Scan":
            found |= {n["Index Name"] for n in plan_nodes(node) if "Index Name" in n}
        elif "Index Name" in node:
            found.add(node["Index Name"])
    return found


def assert_reads_along(plans: list[Any], index: str, *, sorted_matches: bool = False) -> None:
    """The first statement (the page's ids) uses `index`; no statement scans `flow_run`
    sequentially; none sorts its rows (unless `sorted_matches`: the few a text search
    finds); the second statement, if any, loads the page by primary key."""
    ids_plan, *rows_plans = plans
    assert index in flow_run_indexes(ids_plan), json.dumps(ids_plan, indent=1)
    for plan in plans:
        for node in plan_nodes(plan):
            seq = node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "flow_run"
            assert not seq, json.dumps(plan, indent=1)
            if node["Node Type"] in ("Sort", "Incremental Sort") and not sorted_matches:
                assert not reads_flow_run(node), json.dumps(plan, indent=1)
    for plan in rows_plans:
        assert flow_run_indexes(plan) == {"flow_run_pkey"}, json.dumps(plan, indent=1)


E_DESC, E_ASC = FlowRunSort.EXPECTED_START_TIME_DESC, FlowRunSort.EXPECTED_START_TIME_ASC
S_DESC, S_ASC = FlowRunSort.START_TIME_DESC, FlowRunSort.START_TIME_ASC


@pytest.mark.parametrize(
    ("body", "sort", "limit", "offset", "index"),
    [
        # The reference filter and the per-state branches, first and deep pages
        (TEAM_FINISHED, E_DESC, 200, 0, "ix_flow_run__type_exp_desc"),
        (TEAM_FINISHED, E_DESC, 50, 200, "ix_flow_run__type_exp_desc"),
        (COMPLETED, E_DESC, 50, 0, "ix_flow_run__type_exp_desc"),
        (COMPLETED, E_DESC, 50, 2450, "ix_flow_run__type_exp_desc"),
        (LIVE, E_ASC, 200, 0, "ix_flow_run__type_exp_desc"),
        (TEAM_FINISHED, S_DESC, 200, 0, "ix_flow_run__type_start_desc"),
        (LIVE, S_ASC, 50, 100, "ix_flow_run__type_start_desc"),
        (TEAM_FINISHED, FlowRunSort.ID_DESC, 200, 0, "ix_flow_run__state_type_id"),
        (FINISHED_NAMES, E_DESC, 50, 100, "ix_flow_run__sname_exp_desc"),
        # No state filter: the plain sort indexes, ASC sorts reading DESC indexes backwards
        ({}, E_DESC, 50, 0, "ix_flow_run__exp_start_desc"),
        ({}, E_DESC, 50, 2450, "ix_flow_run__exp_start_desc"),
        ({}, E_ASC, 50, 0, "ix_flow_run__exp_start_desc"),
        ({}, S_DESC, 200, 0, "ix_flow_run__start_desc"),
        ({}, S_ASC, 200, 0, "ix_flow_run__start_desc"),
        ({}, FlowRunSort.ID_DESC, 200, 0, "flow_run_pkey"),
        (DAYS, S_DESC, 20, 0, "ix_flow_run__start_desc"),
    ],
)
def test_each_shape_reads_its_index_without_sorting_the_table(body, sort, limit, offset, index):
    assert_reads_along(page_plans(body, sort, limit, offset), index)


def test_runs_of_one_flow_are_read_in_start_order():
    flow_id = str(Flow.objects.order_by("name").values_list("id", flat=True).first())
    body = {"flows": {"id": {"any_": [flow_id]}}}  # 500 runs here, 100,000 at 1M: a short page
    assert_reads_along(page_plans(body, S_DESC, 20, 0), "ix_flow_run__start_desc")


def test_runs_of_a_deployment_are_found_by_deployment_id():
    plans = page_plans(DEPLOYMENT, E_DESC, 200, 0)
    assert any(name.startswith("flow_run_deployment_id") for name in flow_run_indexes(plans[0]))
    assert_reads_along(plans, next(iter(flow_run_indexes(plans[0]))), sorted_matches=True)


def test_a_name_search_uses_the_trigram_index():
    body = {"flow_runs": {"name": {"like_": "42a"}}}
    plans = page_plans(body, FlowRunSort.NAME_ASC, 200, 0)
    assert_reads_along(plans, "ix_flow_run__name_trgm", sorted_matches=True)
