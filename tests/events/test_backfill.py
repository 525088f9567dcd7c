"""`events_backfill`: what a new `/events/out` subscriber receives before live events
(spec/events.md §8.5 items 3-4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.schemas import EventFilter
from events.selectors import events_backfill
from tests.events.conftest import event_json, store

pytestmark = pytest.mark.django_db


def minutes_ago(*minutes: float) -> list[dict]:
    now = timezone.now()
    return store(*(event_json(f"m{m}", occurred=now - timedelta(minutes=m)) for m in minutes))


def names(pages) -> list[list[str]]:
    return [[e["event"] for e in page] for page in pages]


def test_oldest_first_in_pages_and_no_older_than_15_minutes():
    minutes_ago(30, 14, 10, 6, 3, 1)
    everything = EventFilter.model_validate(
        {"occurred": {"since": "2000-01-01T00:00:00Z"}, "order": "DESC"}
    )
    assert names(events_backfill(everything, page_size=2)) == [["m14", "m10"], ["m6", "m3"], ["m1"]]


def test_a_last_full_page_ends_the_backfill():
    minutes_ago(4, 3, 2, 1)
    assert names(events_backfill(EventFilter(), page_size=2)) == [["m4", "m3"], ["m2", "m1"]]


def test_nothing_to_backfill_yields_nothing():
    assert list(events_backfill(EventFilter())) == []


def test_a_later_since_is_kept():
    minutes_ago(10, 5, 1)
    since = (timezone.now() - timedelta(minutes=7)).isoformat()
    recent = EventFilter.model_validate({"occurred": {"since": since}})
    assert names(events_backfill(recent)) == [["m5", "m1"]]


def test_the_backfill_window_follows_its_setting(settings):
    settings.PREFECT_SERVER_EVENTS_MAXIMUM_WEBSOCKET_BACKFILL = "PT1H"
    minutes_ago(90, 50, 1)
    assert names(events_backfill(EventFilter())) == [["m50", "m1"]]


def test_the_filter_applies_and_pages_are_received_event_json():
    now = timezone.now()
    (wanted,) = store(event_json("keep", occurred=now - timedelta(minutes=2)))
    store(event_json("drop", occurred=now - timedelta(minutes=1)))
    only = EventFilter.model_validate({"event": {"name": ["keep"]}})
    assert list(events_backfill(only)) == [[wanted]]


def test_until_still_bounds_the_backfill():
    minutes_ago(5, 1)
    until = (timezone.now() - timedelta(minutes=3)).isoformat()
    assert names(events_backfill(EventFilter.model_validate({"occurred": {"until": until}}))) == [
        ["m5"]
    ]


def test_distinct_backfills_one_event_per_resource():
    now = timezone.now()
    for run in range(3):
        resource = {"prefect.resource.id": f"prefect.flow-run.{run}"}
        store(
            *(
                event_json(
                    f"r{run}-{i}",
                    occurred=now - timedelta(minutes=10 - run - i / 10),
                    resource=resource,
                )
                for i in range(2)
            )
        )
    distinct = EventFilter.model_validate({"resource": {"distinct": True}})
    assert names(events_backfill(distinct, page_size=2)) == [["r0-0", "r1-0"], ["r2-0"]]
