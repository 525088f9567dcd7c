"""The in-memory matcher (`/events/out` live delivery) agrees with the SQL filter: every
filter case selects the same events from the same stored corpus both ways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.matching import event_matches
from events.schemas import EventFilter
from events.selectors import event_wire, events_page
from tests.events.conftest import event_json
from tests.events.corpus import corpus_events, store_corpus
from tests.events.filter_cases import case_params, resolve

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("filter", "expected"), case_params())
def test_the_matcher_and_sql_select_the_same_events(filter, expected):
    stored = store_corpus()
    event_filter = EventFilter.model_validate(resolve(filter, stored))
    by_sql = {str(e.id) for e in events_page(event_filter, limit=100)}
    by_matcher = {e["id"] for e in stored.values() if event_matches(event_filter, e)}
    assert by_matcher == by_sql
    assert by_sql == {stored[key]["id"] for key in expected}


def test_the_matcher_reads_what_the_database_returns():
    """Wire dicts read back from the database match exactly as the ones ingestion returned."""
    stored = store_corpus()
    everything = EventFilter.model_validate({"text": {"query": "café"}})
    read_back = [event_wire(e) for e in events_page(EventFilter(), limit=100)]
    assert sorted(read_back, key=lambda e: e["id"]) == sorted(
        stored.values(), key=lambda e: e["id"]
    )
    assert [e["event"] for e in read_back if event_matches(everything, e)] == ["custom.event"]


def test_occurred_bounds_are_inclusive():
    event = event_json(occurred="2026-01-01T00:00:00Z")
    event["received"] = "2026-01-01T00:00:01Z"
    at = {"since": "2026-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
    assert event_matches(EventFilter.model_validate({"occurred": at}), event)
    after = {"since": "2026-01-01T00:00:00.000001Z"}
    assert not event_matches(EventFilter.model_validate({"occurred": after}), event)


def test_an_event_beyond_until_is_not_matched():
    later = timezone.now() + timedelta(minutes=5)
    assert not event_matches(EventFilter(), event_json(occurred=later))


def test_related_is_applied_unlike_prefects_matcher():
    event = corpus_events()["a_completed"]
    wrong_role = EventFilter.model_validate({"related": {"role": ["work-queue"]}})
    assert not event_matches(wrong_role, event)


def test_the_clients_wait_for_flow_run_filter():
    """What `wait_for_flow_run` subscribes with (spec/events.md §8.5)."""
    event = corpus_events()["a_completed"]
    now = timezone.now()
    client_filter = {
        "occurred": {
            "since": (now - timedelta(hours=2)).isoformat(),
            "until": (now + timedelta(days=365)).isoformat(),
        },
        "event": {
            "prefix": ["prefect.flow-run"],
            "exclude_prefix": None,
            "name": None,
            "exclude_name": None,
        },
        "resource": {
            "id": [event["resource"]["prefect.resource.id"]],
            "id_prefix": None,
            "labels": None,
            "distinct": False,
        },
        "related": None,
        "any_resource": None,
        "id": {"id": []},
        "text": None,
        "order": "DESC",
    }
    assert event_matches(EventFilter.model_validate(client_filter), event)
    client_filter["resource"]["id"] = ["prefect.flow-run.other"]
    assert not event_matches(EventFilter.model_validate(client_filter), event)
