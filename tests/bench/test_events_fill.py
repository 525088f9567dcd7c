"""`bench/events_fill.py`: a week of realistic events, readable like ingested ones."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bench.event_mix import Mix
from bench.events_fill import fill
from events.models import Event, EventResource
from events.recorder.reports import is_client_task_run_event, task_run_report
from events.schemas import EventIn

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def filled(db):
    return fill(events=400, days=3, seed=1, batch=150, truncate=True, now=NOW)


def test_it_stores_exactly_the_events_asked_for_with_a_row_per_involved_resource(filled):
    assert filled["events"] == Event.objects.count() == 400
    involved = sum(1 + len(event.related) for event in Event.objects.all())
    assert filled["event_resources"] == EventResource.objects.count() == involved
    primary = EventResource.objects.filter(resource_role="").count()
    assert primary == 400


def test_events_spread_over_the_days_asked_for_and_end_before_now(filled):
    days = Counter(e.occurred.astimezone(UTC).date() for e in Event.objects.all())
    assert set(days) == {(NOW - timedelta(days=n)).date() for n in range(4)}
    assert max(e.occurred for e in Event.objects.all()) < NOW
    assert min(e.occurred for e in Event.objects.all()) >= NOW - timedelta(days=3)


def test_most_events_are_task_run_and_flow_run_events(filled):
    names = Counter(
        name.rsplit(".", 1)[0] for name in Event.objects.values_list("event", flat=True)
    )
    assert names["prefect.task-run"] > 0.8 * 400
    assert names["prefect.flow-run"] > 0.05 * 400


def test_filled_events_are_found_through_the_api_by_related_flow_run(filled, api):
    task_event = Event.objects.filter(event="prefect.task-run.Completed").first()
    flow_run = next(r for r in task_event.related if r["prefect.resource.role"] == "flow-run")
    body = {
        "filter": {
            "occurred": {"since": "2026-12-01T00:00:00Z", "until": "2026-12-07T00:00:00Z"},
            "any_resource": {"id": [flow_run["prefect.resource.id"]]},
        }
    }
    page = api.post("/api/events/filter", body, format="json").json()
    names = {event["event"] for event in page["events"]}
    assert {"prefect.task-run.Pending", "prefect.task-run.Completed"} <= names
    assert any(name.startswith("prefect.flow-run.") for name in names)


def test_task_run_events_are_ones_the_recorder_would_record():
    events = Mix(seed=3).flow_run_events(NOW)
    task_events = [EventIn.model_validate(e).receive(NOW) for e in events]
    task_events = [e for e in task_events if is_client_task_run_event(e)]
    assert len(task_events) >= 15
    reports = [task_run_report(event) for event in task_events]
    assert all(report is not None for report in reports)
    assert {r.state.type.value for r in reports} >= {"PENDING", "RUNNING"}


def test_the_same_seed_gives_the_same_flow_runs():
    first, again = Mix(seed=5).flow_run_events(NOW), Mix(seed=5).flow_run_events(NOW)
    assert [e["resource"] for e in first] == [e["resource"] for e in again]
