"""A varied set of runs for the counter tests: every state, NULL states and names, odd tags,
runs late, early, running, scheduled in the future, with and without expected start times."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from flowruns.counters.verify import counters_verify
from flowruns.models import Flow, FlowRun
from tests.factories import FlowFactory, FlowRunFactory

NOW = datetime(2026, 3, 10, 12, 34, 56, 789012, tzinfo=UTC)
TYPES = ["COMPLETED", "FAILED", "SCHEDULED", "CANCELLED", "CRASHED", "RUNNING", "PENDING", None]
TAGS = [[], ["team-1"], ["team-2", "env:prod"], ["team-1", "team-1"], ["env:prod"], ["team-2"]]


def _name(state_type: str | None, rng: random.Random) -> str | None:
    if state_type is None:
        return rng.choice([None, "Orphan"])
    return rng.choice([state_type.title(), state_type.title(), "Late", "AwaitingRetry"])


def make_runs(count: int, *, seed: int = 7, now: datetime = NOW) -> list[Flow]:
    """`count` runs over three flows, expected from 3 days before `now` to 2 days after."""
    rng = random.Random(seed)
    flows = [FlowFactory.create() for _ in range(3)]
    for _ in range(count):
        state_type = rng.choice(TYPES)
        expected = now + timedelta(seconds=rng.uniform(-3 * 86400, 2 * 86400))
        fields: dict[str, Any] = {
            "flow": rng.choice(flows),
            "state_type": state_type,
            "state_name": _name(state_type, rng),
            "tags": rng.choice(TAGS),
            "expected_start_time": None if rng.random() < 0.05 else expected,
            "total_run_time": rng.choice([0.0, rng.uniform(0, 900), 12.345678]),
            "state_timestamp": now + timedelta(seconds=rng.uniform(-7200, 60)),
        }
        if state_type not in ("SCHEDULED", "PENDING", None) or rng.random() < 0.2:
            fields["start_time"] = expected + timedelta(seconds=rng.uniform(-30, 120))
        FlowRunFactory.create(**fields)
    return flows


def assert_counters_exact() -> None:
    result = counters_verify()
    assert result.differences == {table: [] for table in result.differences}
    assert FlowRun.objects.exists() or not any(result.differences.values())
