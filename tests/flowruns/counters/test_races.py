"""PostgreSQL: concurrent writers keep the counters exact, without deadlocks.

Each worker is a thread with its own connection (so its own shard); all start together and
create, transition and delete runs of the same flows and tags at once. Afterwards the counters
must equal a fresh COUNT(*) grouped by state, and every request must have succeeded.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from rest_framework.test import APIClient

from flowruns.models import FlowRun
from flowruns.selectors.run_counters.count import counted_runs
from flowruns.selectors.run_counters.shapes import CounterShape
from tests.factories import FlowFactory
from tests.flowruns.services.test_races import REPEATS, run_concurrently

from .runs import assert_counters_exact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8
RUNS_PER_WORKER = 6


def _work(flow_ids: list[str], i: int) -> list[int]:
    client = APIClient()
    statuses = []
    for n in range(RUNS_PER_WORKER):
        body = {
            "flow_id": flow_ids[(i + n) % len(flow_ids)],
            "state": {"type": "SCHEDULED"},
            "tags": ["shared", f"team-{n % 2}"],
        }
        response = client.post("/api/flow_runs/", body, format="json")
        statuses.append(response.status_code)
        run_id = response.json()["id"]
        for state in ("PENDING", "RUNNING", "COMPLETED")[: 1 + n % 3]:
            answer = client.post(
                f"/api/flow_runs/{run_id}/set_state", {"state": {"type": state}}, format="json"
            )
            statuses.append(answer.status_code)
        if n % 3 == 1:
            client.patch(f"/api/flow_runs/{run_id}", {"tags": ["shared"]}, format="json")
        if n == RUNS_PER_WORKER - 1:
            statuses.append(client.delete(f"/api/flow_runs/{run_id}").status_code)
    return statuses


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_concurrent_creates_transitions_and_deletes_leave_counters_exact(attempt):
    flow_ids = [str(FlowFactory.create().id) for _ in range(2)]

    results = run_concurrently(WORKERS, lambda i: _work(flow_ids, i))

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors
    codes: Counter[Any] = Counter(code for statuses in results for code in statuses)
    assert set(codes) <= {200, 201, 204}
    assert_counters_exact()
    by_state = Counter(FlowRun.objects.values_list("state_type", flat=True))
    for state_type, n in by_state.items():
        assert counted_runs(CounterShape(state_types=[state_type])) == n
    assert counted_runs(CounterShape(tag="shared")) == WORKERS * (RUNS_PER_WORKER - 1)
