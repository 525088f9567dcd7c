"""What flow runs and task runs answer alike: retry policy and timing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flowruns.api.wire.encoding import dt
from orchestration.states import TERMINAL_TYPES, StateType


def retry_policy_out(stored: dict[str, Any]) -> dict[str, Any]:
    """The retry keys that open both `empirical_policy` shapes, with Prefect's defaults."""
    return {
        "max_retries": stored.get("max_retries", 0),
        "retry_delay_seconds": float(stored.get("retry_delay_seconds") or 0),
        "retries": stored.get("retries"),
        "retry_delay": stored.get("retry_delay"),
    }


def estimated_run_time(run: Any, now: datetime) -> float:
    total = float(run.total_run_time or 0.0)
    if run.state_type == StateType.RUNNING and run.state_timestamp is not None:
        total += (now - run.state_timestamp).total_seconds()
    return float(total)


def estimated_start_time_delta(run: Any, now: datetime) -> float:
    """Lateness: how far behind its expected start the run started (or still is)."""
    start, expected = run.start_time, run.expected_start_time
    if start is not None and expected is not None and start > expected:
        return float((start - expected).total_seconds())
    if (
        start is None
        and expected is not None
        and expected < now
        and run.state_type not in TERMINAL_TYPES
    ):
        return float((now - expected).total_seconds())
    return 0.0


def run_times_out(run: Any, now: datetime) -> dict[str, Any]:
    """From `expected_start_time` to `estimated_start_time_delta`, in Prefect's order."""
    return {
        "expected_start_time": dt(run.expected_start_time),
        "next_scheduled_start_time": dt(run.next_scheduled_start_time),
        "start_time": dt(run.start_time),
        "end_time": dt(run.end_time),
        "total_run_time": float(run.total_run_time or 0.0),
        "estimated_run_time": estimated_run_time(run, now),
        "estimated_start_time_delta": estimated_start_time_delta(run, now),
    }
