"""PostgreSQL plans: /count of a state reads the counter table, never `flow_run`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .runs import make_runs

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def plans_of(api, path: str, body: dict) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = api.post(path, body, format="json")
    assert response.status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.parametrize(
    "body",
    [
        {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
        {},
        {"flow_runs": {"tags": {"all_": ["team-1"]}, "state": {"type": {"any_": ["FAILED"]}}}},
    ],
)
def test_count_reads_the_counters_not_flow_run(api, body):
    make_runs(50)

    plans = plans_of(api, "/api/flow_runs/count", body)

    assert plans
    assert all(" on flow_run " not in plan and " on flow_run\n" not in plan for plan in plans)
    assert any("flow_run_count" in plan or "flow_run_tag_count" in plan for plan in plans)


def test_a_filter_the_counters_do_not_cover_still_counts_flow_run(api):
    make_runs(20)

    plans = plans_of(api, "/api/flow_runs/count", {"flow_runs": {"name": {"like_": "x"}}})

    assert any("flow_run" in plan and "flow_run_count" not in plan for plan in plans)


_COPIED = (
    "created, updated, name, run_count, expected_start_time, next_scheduled_start_time,"
    " start_time, end_time, total_run_time, empirical_policy, tags, labels, deployment_id,"
    " deployment_version, work_queue_name, flow_version, parameters, context, created_by,"
    " infrastructure_pid, infrastructure_document_id, job_variables, auto_scheduled, flow_id,"
    " parent_task_run_id, work_queue_id, last_heartbeat"
)


def _grow_with_completed_runs(cursor, *, copies: int) -> None:
    """`copies` COMPLETED copies of every run (new ids, no state row, no idempotency key)."""
    cursor.execute(
        f"INSERT INTO flow_run (id, state_type, state_name, state_timestamp, {_COPIED})"
        f" SELECT gen_random_uuid(), 'COMPLETED', 'Completed', r.end_time, {_COPIED}"
        f" FROM flow_run r CROSS JOIN generate_series(1, %s)",
        [copies],
    )


def _history_statement(api, body: dict, marker: str) -> str:
    """The one statement of a /history request whose SQL contains `marker`."""
    with CaptureQueriesContext(connection) as queries:
        assert api.post("/api/flow_runs/history", body, format="json").status_code == 200
    found = [q["sql"] for q in queries.captured_queries if marker in q["sql"]]
    assert len(found) == 1
    return found[0]


def _plan_at_scale(sql: str, *, off: tuple[str, ...]) -> str:
    """`sql`'s plan on a table whose RUNNING runs are few, as in any real one (fifty fresh runs
    are not: the planner's pick then depends on whether autovacuum has analyzed them yet), with
    statistics, and without the scans (`enable_<scan> = off`) the planner skips at 1M runs but
    may pick for a few thousand."""
    with connection.cursor() as cursor:
        _grow_with_completed_runs(cursor, copies=40)
        cursor.execute("ANALYZE flow_run")
        for scan in off:
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_history_checks_running_runs_by_the_partial_index_only(api):
    """The check for RUNNING runs stamped after `now` reads `ix_flow_run__running_stamp`
    alone: it visited every RUNNING run's row before (140 ms of a 200 ms request at 1M)."""
    make_runs(50)
    body = {
        "history_start": "2026-03-07T00:00:00Z",
        "history_end": "2026-03-12T00:00:00Z",
        "history_interval_seconds": 86400,
    }
    check = _history_statement(api, body, '"state_timestamp" >')

    plan = _plan_at_scale(check, off=("seqscan",))

    assert "Index Only Scan using ix_flow_run__running_stamp" in plan


def test_history_counts_the_runs_at_ragged_bucket_edges_from_the_index_alone(api):
    """Bucket edges that cut a 10-minute slot are summed from runs: one LATERAL aggregate per
    edge span, an index-only range scan of `ix_flow_run__exp_start_desc` (which includes every
    column the sums read). As an OR of ranges it visited each run's row: 1 s at 10M runs."""
    make_runs(50)
    body = {
        "history_start": "2026-03-07T00:03:00Z",
        "history_end": "2026-03-12T00:00:00Z",
        "history_interval_seconds": 86400 * 5 / 24,  # every edge ragged
    }
    edges = _history_statement(api, body, "CROSS JOIN LATERAL")

    plan = _plan_at_scale(edges, off=("seqscan", "bitmapscan"))

    assert "Index Only Scan using ix_flow_run__exp_start_desc" in plan
