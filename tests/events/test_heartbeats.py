"""`prefect.flow-run.heartbeat` moves `flow_run.last_heartbeat` forward to the server's
receive time, never back (spec/events.md §7.3, services.md §6.2)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from flowruns.models import FlowRun, StateType
from tests.events.conftest import event_json, flow, store
from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 12, 6, 2, 13, 20, tzinfo=UTC)


def heartbeat(flow_run_id: object, occurred: datetime | None = None) -> dict:
    return event_json(
        "prefect.flow-run.heartbeat",
        occurred=occurred,
        resource={
            "prefect.resource.id": f"prefect.flow-run.{flow_run_id}",
            "prefect.resource.name": "banana-prawn",
            "prefect.version": "3.8.8",
        },
        related=[flow()],
    )


@pytest.fixture
def run() -> FlowRun:
    return FlowRunFactory.create(state_type=StateType.RUNNING, with_state=True)


def last_heartbeat(run: FlowRun) -> datetime | None:
    run.refresh_from_db(fields=["last_heartbeat"])
    return run.last_heartbeat


def test_a_heartbeat_sets_last_heartbeat_to_the_server_receive_time(run):
    # The client's clock is off by an hour: its `occurred` is not used.
    store(heartbeat(run.pk, occurred=RECEIVED - timedelta(hours=1)), received=RECEIVED)
    assert last_heartbeat(run) == RECEIVED


def test_last_heartbeat_only_moves_forward(run):
    store(heartbeat(run.pk), received=RECEIVED)
    store(heartbeat(run.pk), received=RECEIVED - timedelta(seconds=30))  # committed late
    assert last_heartbeat(run) == RECEIVED
    store(heartbeat(run.pk), received=RECEIVED + timedelta(seconds=180))
    assert last_heartbeat(run) == RECEIVED + timedelta(seconds=180)


def test_a_heartbeat_changes_nothing_else_of_the_run(run):
    before = FlowRun.objects.get(pk=run.pk)
    store(heartbeat(run.pk), received=RECEIVED)
    after = FlowRun.objects.get(pk=run.pk)
    assert (after.updated, after.state_id, after.state_type) == (
        before.updated,
        before.state_id,
        before.state_type,
    )


def test_heartbeats_of_unknown_or_malformed_runs_are_only_stored(run):
    stored = store(heartbeat(uuid.uuid4()), heartbeat("not-a-uuid"), received=RECEIVED)
    assert len(stored) == 2
    assert last_heartbeat(run) is None


def test_other_flow_run_events_do_not_count_as_heartbeats(run):
    event = heartbeat(run.pk)
    event["event"] = "prefect.flow-run.Running"
    store(event, received=RECEIVED)
    assert last_heartbeat(run) is None
