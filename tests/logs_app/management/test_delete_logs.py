"""`manage.py delete_logs`: age and level selection, dry run, keyset batches, interruption."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logs_app import services
from logs_app.models import Log
from tests.factories import LogFactory
from tests.terminal import Terminal

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def log(days_ago: float, level: int = 20, **fields) -> Log:
    return LogFactory.create(timestamp=timezone.now() - days_ago * DAY, level=level, **fields)


def delete(*args: str) -> str:
    out = StringIO()
    call_command("delete_logs", *args, stdout=out, interactive=False)
    return out.getvalue()


def remaining() -> set[str]:
    return set(Log.objects.values_list("message", flat=True))


def test_refuses_to_run_without_a_selector():
    log(100, message="kept")
    with pytest.raises(CommandError, match="Refusing to delete without a selector"):
        delete()
    assert remaining() == {"kept"}


def test_older_than_deletes_by_timestamp():
    log(40, message="old")
    log(1, message="new")
    out = delete("--older-than", "30d")
    assert remaining() == {"new"}
    assert "Deleted 1 logs in 1 batches" in out


def test_before_a_date():
    log(100, message="old")
    log(2, message="new")
    delete("--before", (timezone.now() - 50 * DAY).isoformat())
    assert remaining() == {"new"}


def test_level_below_and_max_level_with_age():
    log(40, 10, message="old debug")
    log(40, 20, message="old info")
    log(40, 40, message="old error")
    log(1, 10, message="new debug")
    delete("--older-than", "30d", "--level-below", "INFO")
    assert remaining() == {"old info", "old error", "new debug"}
    delete("--max-level", "20")
    assert remaining() == {"old error"}


def test_dry_run_prints_counts_per_level_and_deletes_nothing():
    log(40, 10)
    log(40, 10)
    log(40, 30)
    out = delete("--older-than", "30d", "--dry-run")
    assert "would delete 3 logs" in out
    assert re.search(r"DEBUG +2\n", out) and re.search(r"WARNING +1\n", out)
    assert Log.objects.count() == 3


def test_all_deletes_every_log_in_keyset_batches_including_timestamp_ties():
    same = timezone.now() - 40 * DAY
    for i in range(5):  # identical timestamps: the id breaks the tie
        LogFactory.create(timestamp=same, message=f"tie {i}")
    log(1, message="other")
    with CaptureQueriesContext(connection) as queries:
        out = delete("--all", "--batch-size", "2")
    assert remaining() == set()
    assert "Deleted 6 logs in 3 batches" in out
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_logs_of_runs_outside_the_selection_stay():
    run_a, run_b = uuid.uuid4(), uuid.uuid4()
    log(40, flow_run_id=run_a, message="a-old")
    log(1, flow_run_id=run_b, message="b-new")
    delete("--older-than", "30d")
    assert remaining() == {"b-new"}


def test_interrupted_run_keeps_finished_batches_and_a_rerun_completes(monkeypatch):
    for i in range(5):
        log(40 + i, message=f"m{i}")
    real = services.raw_delete
    calls = {"n": 0}

    def interrupted_on_second_batch(queryset):
        calls["n"] += 1
        deleted = real(queryset)
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return deleted

    monkeypatch.setattr(services, "raw_delete", interrupted_on_second_batch)
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "delete_logs", "--older-than", "30d", "--batch-size", "2", stdout=out, interactive=False
        )
    assert error.value.returncode == 130
    assert "Interrupted after deleting 2 logs" in out.getvalue()
    assert Log.objects.count() == 3
    monkeypatch.setattr(services, "raw_delete", real)
    delete("--older-than", "30d", "--batch-size", "2")
    assert Log.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--older-than", "soon"], "Invalid age"),
        (["--level-below", "LOUD"], "Invalid level"),
        (["--all", "--batch-size", "0"], "--batch-size"),
    ],
)
def test_bad_arguments_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        delete(*args)


def test_a_terminal_gets_a_progress_bar_of_logs_and_a_pipe_does_not():
    for i in range(3):
        log(40 + i)
    assert "%|" not in delete("--older-than", "30d", "--batch-size", "2", "--dry-run")
    out = Terminal()
    call_command(
        "delete_logs", "--older-than", "30d", "--batch-size", "2", stdout=out, interactive=False
    )
    assert "\rDeleting: 100%|##########| 3/3 [" in out.getvalue()
    assert " logs/s]" in out.getvalue()
    assert "Deleted 3 logs in 2 batches" in out.getvalue()
