"""Task-run events whose flow run does not exist (yet) (spec/events.md §6.5, §9.2): parked,
never failing the ingestion, recorded once the flow run exists, dropped after the TTL."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from events.conf import event_settings
from events.models import Event, PendingTaskRunEvent
from flowruns.models import FlowRun, StateType, TaskRun, TaskRunState
from flowruns.services.flow_runs import flow_run_create
from flowruns.services.orchestration_types import OrchestrationCall, StateProposal
from tests.events.task_run_events import ingest, lifecycle, task_run_event
from tests.factories import FlowFactory, FlowRunFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 6, 2, 13, 19, tzinfo=UTC)


def create_flow_run(flow_run_id: uuid.UUID) -> FlowRun:
    run, created = flow_run_create(
        flow_id=FlowFactory.create().pk,
        fields={"id": flow_run_id},
        state=StateProposal(type="RUNNING"),
        call=OrchestrationCall(),
    )
    assert created
    return run


def test_an_event_for_a_missing_flow_run_is_parked_and_ingestion_goes_on():
    flow_run_id = uuid.uuid4()
    events = lifecycle(task_run_id=uuid.uuid4(), flow_run_id=flow_run_id, start=T0)

    stored = ingest(*events)

    assert len(stored) == 3
    assert Event.objects.count() == 3
    assert not TaskRun.objects.exists()
    parked = PendingTaskRunEvent.objects.order_by("received", "id")
    assert {str(row.id) for row in parked} == {e["id"] for e in events}
    assert {row.flow_run_id for row in parked} == {flow_run_id}
    assert parked[0].event["event"].startswith("prefect.task-run.")


def test_parked_events_are_recorded_when_their_flow_run_is_created():
    flow_run_id, task_run_id = uuid.uuid4(), uuid.uuid4()
    events = lifecycle(task_run_id=task_run_id, flow_run_id=flow_run_id, start=T0)
    ingest(*events)

    create_flow_run(flow_run_id)

    run = TaskRun.objects.get()
    assert (run.pk, run.flow_run_id, run.state_type) == (task_run_id, flow_run_id, "COMPLETED")
    assert TaskRunState.objects.filter(task_run=run).count() == 3
    assert not PendingTaskRunEvent.objects.exists()


def test_parked_events_are_recorded_by_the_next_ingestion_once_the_flow_run_exists():
    flow_run_id = uuid.uuid4()
    early = task_run_event(
        "Pending", task_run_id=uuid.uuid4(), flow_run_id=flow_run_id, occurred=T0
    )
    ingest(early)
    # The run appears by a path that tells no listener (or while the event was being parked).
    FlowRunFactory.create(id=flow_run_id, state_type=StateType.RUNNING)

    other = FlowRunFactory.create(state_type=StateType.RUNNING)
    ingest(task_run_event("Pending", task_run_id=uuid.uuid4(), flow_run_id=other.pk, occurred=T0))

    assert set(TaskRun.objects.values_list("flow_run_id", flat=True)) == {flow_run_id, other.pk}
    assert not PendingTaskRunEvent.objects.exists()


def test_parked_events_older_than_the_ttl_are_dropped_with_a_warning(settings, caplog):
    settings.EVENTS_PENDING_TASK_RUN_TTL_SECONDS = "60"
    flow_run_id = uuid.uuid4()
    stale = task_run_event(
        "Pending", task_run_id=uuid.uuid4(), flow_run_id=flow_run_id, occurred=T0
    )
    now = datetime.now(UTC)
    ingest(stale, received=now - timedelta(seconds=61))
    waiting = task_run_event(
        "Pending", task_run_id=uuid.uuid4(), flow_run_id=uuid.uuid4(), occurred=T0
    )

    with caplog.at_level(logging.WARNING, logger="events.recorder"):
        ingest(waiting, received=now - timedelta(seconds=59))  # the next ingestion

    assert [str(pk) for pk in PendingTaskRunEvent.objects.values_list("id", flat=True)] == [
        waiting["id"]
    ]
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert stale["id"] in warning.getMessage() and str(flow_run_id) in warning.getMessage()
    create_flow_run(flow_run_id)  # too late: it is never recorded
    assert not TaskRun.objects.filter(flow_run_id=flow_run_id).exists()
    assert Event.objects.filter(pk=stale["id"]).exists()


@pytest.mark.parametrize("value", ["29", "-5", "soon"])
def test_the_ttl_is_a_number_of_seconds_of_at_least_30(settings, value):
    settings.EVENTS_PENDING_TASK_RUN_TTL_SECONDS = value
    with pytest.raises(ImproperlyConfigured, match="EVENTS_PENDING_TASK_RUN_TTL_SECONDS"):
        event_settings()


def test_the_ttl_defaults_to_ten_minutes():
    assert event_settings().pending_task_run_ttl == timedelta(minutes=10)


def test_deleting_a_flow_run_deletes_its_task_runs_and_keeps_the_events():
    flow_run = FlowRunFactory.create(state_type=StateType.RUNNING, with_state=True)
    events = lifecycle(task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, start=T0)
    ingest(*events)
    assert TaskRun.objects.count() == 1

    response = APIClient().delete(f"/api/flow_runs/{flow_run.pk}")

    assert response.status_code == 204
    assert not TaskRun.objects.exists() and not TaskRunState.objects.exists()
    assert Event.objects.filter(pk__in=[e["id"] for e in events]).count() == 3


def test_a_database_cascade_takes_the_task_runs_with_the_flow_run():
    flow_run = FlowRunFactory.create(state_type=StateType.RUNNING)
    ingest(*lifecycle(task_run_id=uuid.uuid4(), flow_run_id=flow_run.pk, start=T0))

    FlowRun.objects.filter(pk=flow_run.pk).delete()  # Django's collector, not the service

    assert not TaskRun.objects.exists() and not TaskRunState.objects.exists()
    assert Event.objects.count() == 3


def test_events_of_a_deleted_flow_run_wait_and_do_not_fail(settings):
    flow_run = FlowRunFactory.create(state_type=StateType.RUNNING)
    task_run_id = uuid.uuid4()
    pending, running, completed = lifecycle(
        task_run_id=task_run_id, flow_run_id=flow_run.pk, start=T0
    )
    ingest(pending)
    APIClient().delete(f"/api/flow_runs/{flow_run.pk}")

    ingest(running, completed)

    assert not TaskRun.objects.exists()
    assert PendingTaskRunEvent.objects.count() == 2


def test_a_parked_event_that_no_longer_validates_is_dropped_with_a_warning(settings, caplog):
    flow_run_id = uuid.uuid4()
    ingest(
        task_run_event("Pending", task_run_id=uuid.uuid4(), flow_run_id=flow_run_id, occurred=T0)
    )
    settings.PREFECT_SERVER_EVENTS_MAXIMUM_RELATED_RESOURCES = "1"  # it has three

    with caplog.at_level(logging.WARNING, logger="events.recorder"):
        create_flow_run(flow_run_id)

    assert not PendingTaskRunEvent.objects.exists()
    assert not TaskRun.objects.exists()
    assert "maximum number of related resources" in caplog.records[-1].getMessage()
