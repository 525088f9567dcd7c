"""`manage.py delete_flow_runs`: selection, dry run, batches, children, interruption."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flowruns.models import FlowRun, FlowRunInput, FlowRunState, StateType, TaskRun, TaskRunState
from flowruns.selectors.keyset import keyset_batches
from flowruns.selectors.retention import FlowRunSelection
from flowruns.services import flow_runs_delete
from flowruns.services.flow_runs_delete import flow_runs_delete_matching
from logs_app.models import Log
from orchestration.states import TERMINAL_TYPES
from tests.factories import (
    DeploymentFactory,
    FlowFactory,
    FlowRunFactory,
    FlowRunInputFactory,
    FlowRunStateFactory,
    LogFactory,
    TaskRunFactory,
)
from tests.terminal import Terminal

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def run(
    state: StateType | None = StateType.COMPLETED, ended_days_ago: float | None = 40, **fields: Any
) -> FlowRun:
    now = timezone.now()
    if ended_days_ago is not None and state is not None and state in TERMINAL_TYPES:
        fields.setdefault("end_time", now - ended_days_ago * DAY)
    fields.setdefault("expected_start_time", now - (ended_days_ago or 0) * DAY - timedelta(hours=1))
    return FlowRunFactory.create(state_type=state, **fields)


def delete(*args: str) -> str:
    out = StringIO()
    call_command("delete_flow_runs", *args, stdout=out, interactive=False)
    return out.getvalue()


def remaining() -> set[str]:
    return set(FlowRun.objects.values_list("name", flat=True))


def test_refuses_to_run_without_a_selector():
    run(name="kept")
    with pytest.raises(CommandError, match="Refusing to delete without a selector"):
        delete()
    with pytest.raises(CommandError, match="Refusing"):
        delete("--include-active")  # not a selector on its own
    assert remaining() == {"kept"}


def test_all_deletes_terminal_runs_only_unless_include_active():
    run(StateType.COMPLETED, name="done")
    run(StateType.CRASHED, name="crashed")
    run(StateType.RUNNING, name="running")
    run(None, name="stateless")
    delete("--all")
    assert remaining() == {"running", "stateless"}
    delete("--all", "--include-active")
    assert remaining() == set()


def test_older_than_compares_end_time_or_expected_start_when_never_ended():
    run(StateType.COMPLETED, ended_days_ago=40, name="ended-40d")
    run(StateType.FAILED, ended_days_ago=10, name="ended-10d")
    never_ended = run(StateType.CANCELLED, ended_days_ago=None, name="cancelled-unstarted")
    FlowRun.objects.filter(pk=never_ended.pk).update(
        end_time=None, expected_start_time=timezone.now() - 50 * DAY
    )
    run(StateType.RUNNING, ended_days_ago=60, name="running-old")
    out = delete("--older-than", "30d")
    assert remaining() == {"ended-10d", "running-old"}
    assert "Deleted 2 flow runs in 1 batches" in out
    assert "CANCELLED 1, COMPLETED 1" in out


def test_before_a_date():
    run(ended_days_ago=3, name="recent")
    run(ended_days_ago=100, name="old")
    cutoff = (timezone.now() - 50 * DAY).date().isoformat()
    delete("--before", cutoff)
    assert remaining() == {"recent"}


def test_explicit_state_types_may_select_active_runs():
    run(StateType.RUNNING, name="running")
    run(StateType.PENDING, name="pending")
    run(StateType.FAILED, name="failed")
    delete("--state-type", "running", "--state-type", "FAILED")
    assert remaining() == {"pending"}


def test_flow_deployment_and_tags_narrow_the_selection():
    etl, report = FlowFactory.create(name="etl"), FlowFactory.create(name="report")
    daily = DeploymentFactory.create(flow=etl, name="daily")
    run(name="etl-daily-prod", flow=etl, deployment_id=daily.id, tags=["prod", "nightly"])
    run(name="etl-daily-dev", flow=etl, deployment_id=daily.id, tags=["dev", "nightly"])
    run(name="etl-adhoc", flow=etl, tags=["prod", "nightly"])
    run(name="report-run", flow=report, tags=["prod", "nightly"])

    delete("--flow", "report", "--tag", "prod")
    assert "report-run" not in remaining()
    delete("--deployment", "etl/daily", "--tag", "prod", "--tag", "nightly")
    assert remaining() == {"etl-daily-dev", "etl-adhoc"}
    delete("--deployment", str(daily.id))
    assert remaining() == {"etl-adhoc"}
    delete("--deployment", "daily")  # nothing of that deployment is left
    assert remaining() == {"etl-adhoc"}


def test_dry_run_prints_counts_per_state_type_and_deletes_nothing():
    run(StateType.COMPLETED)
    run(StateType.COMPLETED)
    run(StateType.FAILED)
    out = delete("--older-than", "1d", "--dry-run")
    assert "would delete 3 flow runs" in out
    assert "COMPLETED" in out and "         2" in out and "FAILED" in out
    assert FlowRun.objects.count() == 3


def test_deletes_in_batches_by_keyset_each_in_its_own_call(monkeypatch):
    for i in range(5):
        run(name=f"r{i}")
    batches: list[int] = []
    real = flow_runs_delete.flow_runs_delete

    def recording(*, ids, where=None):
        batches.append(len(ids))
        return real(ids=ids, where=where)

    monkeypatch.setattr(flow_runs_delete, "flow_runs_delete", recording)
    with CaptureQueriesContext(connection) as queries:
        out = delete("--all", "--batch-size", "2")
    assert batches == [2, 2, 1]
    assert "Deleted 5 flow runs in 3 batches" in out
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
    assert remaining() == set()


def test_children_go_with_the_runs_and_other_runs_logs_stay():
    doomed = run(name="doomed")
    kept = run(StateType.RUNNING, name="kept")
    FlowRunStateFactory.create(flow_run=doomed)
    FlowRunInputFactory.create(flow_run=doomed)
    task = TaskRunFactory.create(flow_run=doomed)
    TaskRunState.objects.create(
        task_run=task, type="COMPLETED", name="Completed", timestamp=timezone.now()
    )
    LogFactory.create_batch(3, flow_run_id=doomed.id)
    LogFactory.create_batch(2, flow_run_id=kept.id)
    LogFactory.create(flow_run_id=None, message="orphan-free log")

    delete("--older-than", "30d")

    assert remaining() == {"kept"}
    assert not FlowRunState.objects.filter(flow_run_id=doomed.id).exists()
    assert not FlowRunInput.objects.filter(flow_run_id=doomed.id).exists()
    assert not TaskRun.objects.filter(flow_run_id=doomed.id).exists()
    assert not TaskRunState.objects.filter(task_run_id=task.id).exists()
    assert not Log.objects.filter(flow_run_id=doomed.id).exists()
    assert Log.objects.filter(flow_run_id=kept.id).count() == 2
    assert Log.objects.filter(flow_run_id=None).count() == 1


def test_interrupted_run_keeps_finished_batches_and_a_rerun_completes(monkeypatch):
    for i in range(5):
        run(name=f"r{i}")
    for r in FlowRun.objects.all():
        LogFactory.create(flow_run_id=r.id)
    real = flow_runs_delete.delete_flow_run_children
    calls = {"n": 0}

    def interrupted_on_second_batch(ids):
        calls["n"] += 1
        real(ids)
        if calls["n"] == 2:
            raise KeyboardInterrupt  # after deleting the logs, inside the batch's transaction

    monkeypatch.setattr(flow_runs_delete, "delete_flow_run_children", interrupted_on_second_batch)
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "delete_flow_runs", "--all", "--batch-size", "2", stdout=out, interactive=False
        )
    assert error.value.returncode == 130
    assert "Interrupted after deleting 2 flow runs in 1 batches" in out.getvalue()
    assert FlowRun.objects.count() == 3  # the second batch was rolled back
    assert Log.objects.count() == 3

    monkeypatch.setattr(flow_runs_delete, "delete_flow_run_children", real)
    delete("--all", "--batch-size", "2")
    assert FlowRun.objects.count() == 0 and Log.objects.count() == 0


def test_a_run_that_changed_after_selection_is_left_alone():
    changed = run(name="rescheduled")
    where = FlowRunSelection(cutoff=timezone.now() - 30 * DAY).q()
    ids = [
        r[0]
        for r in next(keyset_batches(FlowRun.objects.filter(where), keys=("id",), batch_size=10))
    ]
    assert ids == [changed.id]
    FlowRun.objects.filter(pk=changed.pk).update(
        state_type="SCHEDULED", end_time=None, expected_start_time=timezone.now()
    )
    summary = flow_runs_delete_matching(where=where, batch_size=10)
    assert summary.deleted == 0 and remaining() == {"rescheduled"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--older-than", "30 days"], "Invalid age"),
        (["--older-than", "0d"], "Invalid age"),
        (["--before", "yesterday"], "Invalid date"),
        (["--all", "--batch-size", "0"], "--batch-size"),
    ],
)
def test_bad_arguments_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        delete(*args)


def test_a_terminal_gets_a_progress_bar_and_a_pipe_does_not():
    for i in range(3):
        run(name=f"r{i}")
    piped = delete("--all", "--batch-size", "2")
    assert "%|" not in piped and "\r" not in piped
    for i in range(3):
        run(name=f"s{i}")
    out = Terminal()
    call_command("delete_flow_runs", "--all", "--batch-size", "2", stdout=out, interactive=False)
    assert "\rDeleting:  67%|######6   | 2/3 [" in out.getvalue()
    assert "\rDeleting: 100%|##########| 3/3 [" in out.getvalue()
    assert "Deleted 3 flow runs in 2 batches" in out.getvalue()


@pytest.mark.parametrize("quiet", [["--no-progress"], ["--verbosity", "0"]])
def test_no_progress_bar_on_a_terminal_when_asked_for_quiet(quiet):
    for i in range(3):
        run(name=f"r{i}")
    out = Terminal()
    call_command(
        "delete_flow_runs", "--all", "--batch-size", "2", *quiet, stdout=out, interactive=False
    )
    assert "%|" not in out.getvalue() and "\r" not in out.getvalue()
    assert remaining() == set()


def test_summary_reports_the_longest_batch_transaction():
    for i in range(3):
        run(name=f"old-{i}")
    output = delete("--all", "--batch-size", "2")
    assert "Deleted 3 flow runs in 2 batches" in output
    assert re.search(r"longest batch transaction \d+ ms", output)
