"""The late-runs scan reads the partial index `ix_flow_run__late_due` on PostgreSQL, first page
and later pages alike, never the table in full: at a million runs with a backlog, a sequential
scan every 5 s would be the service's whole cost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from background.sweeps import late_runs
from flowruns.models import FlowRun

from .helpers import T0, scheduled_runs_bulk

# No ANALYZE and nothing committed, and the module ends with a VACUUM: the pages the rolled-back
# rows took (and any statistics) would otherwise stay and change other tests' plans and the
# admin's estimated count.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(scope="module", autouse=True)
def _vacuum_afterwards(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    yield  # module scope: after every test's rollback
    with django_db_blocker.unblock(), connection.cursor() as db:
        db.execute("VACUUM flow_run, flow_run_state")


def plan_nodes(plan: dict[str, Any]):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def page_plan(cursor) -> list[dict[str, Any]]:
    """The plan nodes of the one statement `late_runs._page` runs."""
    statements: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        late_runs._page(T0 + timedelta(minutes=1), cursor)
    ((sql, params),) = statements
    with connection.cursor() as db:
        db.execute("SET enable_seqscan = off")
        try:
            db.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            (raw,) = db.fetchone()
        finally:
            db.execute("RESET enable_seqscan")
    plan = raw if isinstance(raw, list) else json.loads(raw)
    return list(plan_nodes(plan[0]["Plan"]))


@pytest.fixture
def backlog() -> list[str]:
    due = scheduled_runs_bulk(2000, T0)
    finished = scheduled_runs_bulk(1000, T0 - timedelta(days=1))
    FlowRun.objects.filter(pk__in=finished).update(state_type="COMPLETED", state_name="Completed")
    return due


def test_the_first_page_reads_the_late_due_index(backlog):
    nodes = page_plan(None)

    assert {node.get("Index Name") for node in nodes} >= {"ix_flow_run__late_due"}
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"]
    assert not [node for node in nodes if node["Node Type"] == "Sort"]


def test_a_later_page_starts_inside_the_index(backlog):
    first = late_runs._page(T0 + timedelta(minutes=1), None)

    nodes = page_plan(first[-1])

    (scan,) = [node for node in nodes if node.get("Index Name") == "ix_flow_run__late_due"]
    assert "next_scheduled_start_time >=" in scan["Index Cond"]
    assert not [node for node in nodes if node["Node Type"] in ("Seq Scan", "Sort")]
