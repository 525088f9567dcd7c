"""`manage.py verify_run_counters`: says when the counters are exact, fails when they drift,
and `--rebuild` puts them right."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from flowruns.models import FlowRunCount, FlowRunHistoryHour, FlowRunTagCount
from tests.flowruns.counters.runs import make_runs

pytestmark = pytest.mark.django_db


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_run_counters", *args, stdout=out, interactive=False)
    return out.getvalue()


def test_exact_counters_pass():
    make_runs(40)

    assert "run counters are exact" in verify()


def test_drifted_counters_fail_until_rebuilt():
    make_runs(40)
    FlowRunCount.objects.filter(state_type="FAILED").update(n=999)
    FlowRunTagCount.objects.filter(tag="team-1").delete()

    with pytest.raises(CommandError, match="--rebuild"):
        verify()
    out = verify("--rebuild")

    assert "flow_run_count: " in out and "stored (999,)" in out
    assert "flow_run_tag_count: " in out
    assert "run counters are exact" in verify()


def test_a_drifted_hourly_history_row_fails_until_rebuilt():
    make_runs(40)
    hour = FlowRunHistoryHour.objects.filter(n__gt=0).order_by("slot").first()
    FlowRunHistoryHour.objects.filter(pk=hour.pk).update(n=hour.n + 1)

    with pytest.raises(CommandError, match="--rebuild"):
        verify()
    out = verify("--rebuild")

    assert "flow_run_history_hour: " in out
    assert "run counters are exact" in verify()
