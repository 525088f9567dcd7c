"""`flow_runs_delete`, the one write path that deletes flow runs, and its batched form."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flowruns.models import FlowRun, StateType
from flowruns.services.flow_runs_delete import (
    flow_runs_delete,
    flow_runs_delete_by_ids,
    flow_runs_delete_matching,
)
from logs_app.models import Log
from tests.conftest import on_postgres
from tests.factories import FlowRunFactory, LogFactory

pytestmark = pytest.mark.django_db

# A statement that reads flow runs by a batch's ids (the lock, and nothing else).
READS_RUNS_BY_ID = re.compile(r'^SELECT .* FROM "flow_run" WHERE .*"flow_run"\."id" IN \(', re.S)


def runs_read_by_id(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if READS_RUNS_BY_ID.match(q["sql"])]


def test_each_batch_reads_and_locks_its_runs_once():
    FlowRunFactory.create_batch(5, state_type=StateType.COMPLETED)
    with CaptureQueriesContext(connection) as queries:
        summary = flow_runs_delete_matching(where=Q(state_type="COMPLETED"), batch_size=2)
    assert (summary.deleted, summary.batches) == (5, 3)
    locks = runs_read_by_id(queries)
    assert len(locks) == 3
    if on_postgres():
        assert all(sql.endswith("FOR UPDATE") for sql in locks)
        every_lock = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
        assert len(every_lock) == 3
    assert FlowRun.objects.count() == 0


def test_the_lock_rechecks_the_selection_and_reports_state_types():
    done = FlowRunFactory.create(state_type=StateType.COMPLETED)
    failed = FlowRunFactory.create(state_type=StateType.FAILED)
    stateless = FlowRunFactory.create(state_type=None)
    running = FlowRunFactory.create(state_type=StateType.RUNNING)
    ids = [done.id, failed.id, stateless.id, running.id]
    deleted = flow_runs_delete(ids=ids, where=~Q(state_type="RUNNING"))
    assert deleted == {
        run.id: state for run, state in [(done, "COMPLETED"), (failed, "FAILED"), (stateless, None)]
    }
    assert list(FlowRun.objects.values_list("id", flat=True)) == [running.id]


def test_the_summary_counts_deleted_runs_by_state_type():
    FlowRunFactory.create_batch(2, state_type=StateType.COMPLETED)
    FlowRunFactory.create(state_type=StateType.CRASHED)
    FlowRunFactory.create(state_type=None)
    batches = []
    summary = flow_runs_delete_matching(
        where=Q(), batch_size=3, on_batch=lambda s: batches.append(s.deleted)
    )
    assert batches == [3, 4]
    assert summary.by_state_type == {"COMPLETED": 2, "CRASHED": 1, "(none)": 1}
    assert summary.longest_batch > 0


def test_by_ids_deletes_the_runs_that_exist_with_their_logs():
    run = FlowRunFactory.create()
    LogFactory.create_batch(2, flow_run_id=run.id)
    other = FlowRunFactory.create()
    LogFactory.create(flow_run_id=other.id)
    assert flow_runs_delete_by_ids([run.id, uuid.uuid4()]) == [run.id]
    assert flow_runs_delete_by_ids([]) == []
    assert list(Log.objects.values_list("flow_run_id", flat=True)) == [other.id]


def test_a_run_that_changed_after_selection_is_left_alone():
    cutoff = timezone.now() - timedelta(days=1)
    run = FlowRunFactory.create(state_type=StateType.COMPLETED, end_time=cutoff)
    where = Q(state_type="COMPLETED")
    FlowRun.objects.filter(pk=run.pk).update(state_type="SCHEDULED")  # rescheduled meanwhile
    assert flow_runs_delete(ids=[run.id], where=where) == {}
    assert FlowRun.objects.filter(pk=run.pk).exists()
