"""Every EventFilter key against the database, through `POST /api/events/filter`
(spec/events.md §8.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.events.conftest import event_json, store
from tests.events.corpus import store_corpus
from tests.events.filter_cases import case_params, resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return store_corpus()


def selected(api, filter, corpus) -> set[str]:
    response = api.post("/api/events/filter", {"filter": filter, "limit": 50}, format="json")
    assert response.status_code == 200, response.content
    names = {event["id"]: key for key, event in corpus.items()}
    return {names[event["id"]] for event in response.json()["events"]}


@pytest.mark.parametrize(("filter", "expected"), case_params())
def test_filter_selects(api, corpus, filter, expected):
    assert selected(api, resolve(filter, corpus), corpus) == expected


def test_events_in_the_future_are_invisible_unless_until_says_so(api):
    later = timezone.now() + timedelta(hours=2)
    (future,) = store(event_json("future", occurred=later))
    assert api.post("/api/events/filter").json()["events"] == []
    until = (later + timedelta(minutes=1)).isoformat()
    found = api.post(
        "/api/events/filter", {"filter": {"occurred": {"until": until}}}, format="json"
    )
    assert found.json()["events"] == [future]


def test_the_default_window_starts_180_days_before_today(api):
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    store(
        event_json("inside", occurred=today - timedelta(days=180)),
        event_json("outside", occurred=today - timedelta(days=180, microseconds=1)),
    )
    names = [e["event"] for e in api.post("/api/events/filter").json()["events"]]
    assert names == ["inside"]


def test_default_order_is_newest_first_and_asc_reverses_it(api, corpus):
    newest_first = [e["id"] for e in api.post("/api/events/filter").json()["events"]]
    assert newest_first[0] == corpus["weird"]["id"]
    asc = api.post("/api/events/filter", {"filter": {"order": "ASC"}}, format="json").json()
    assert [e["id"] for e in asc["events"]] == newest_first[::-1]


def test_equal_timestamps_are_ordered_by_id(api):
    moment = timezone.now() - timedelta(minutes=1)
    ids = sorted(str(e["id"]) for e in store(*(event_json(occurred=moment) for _ in range(5))))
    asc = api.post("/api/events/filter", {"filter": {"order": "ASC"}}, format="json").json()
    assert [e["id"] for e in asc["events"]] == ids


@pytest.mark.parametrize(
    "filter",
    [
        {"bogus": 1},
        {"event": {"prefix": ["a"], "bogus": 1}},
        {"resource": {"nope": True}},
        {"related": [{"role": ["x"], "extra": 1}]},
        {"occurred": {"since": "2024-01-01T00:00:00Z", "x": 1}},
        {"id": {"id": [], "ids": []}},
    ],
)
def test_unknown_keys_in_filters_are_refused(api, filter):
    response = api.post("/api/events/filter", {"filter": filter}, format="json")
    assert response.status_code == 422
    types = {e["type"] for e in response.json()["exception_detail"]}
    assert "extra_forbidden" in types


def test_unknown_top_level_keys_are_ignored(api):
    assert api.post("/api/events/filter", {"whatever": 1}, format="json").status_code == 200


def test_text_over_200_characters_is_refused(api):
    response = api.post(
        "/api/events/filter", {"filter": {"text": {"query": "x" * 201}}}, format="json"
    )
    error = response.json()["exception_detail"][0]
    assert (response.status_code, error["type"]) == (422, "string_too_long")
    assert error["loc"] == ["body", "filter", "text", "query"]


def test_distinct_keeps_the_first_event_of_each_resource_in_the_requested_order(api, corpus):
    body = {"filter": {"resource": {"distinct": True, "id_prefix": ["prefect.flow-run."]}}}
    page = api.post("/api/events/filter", body, format="json").json()
    names = {
        corpus_key
        for corpus_key, e in corpus.items()
        if e["id"] in {x["id"] for x in page["events"]}
    }
    assert names == {"a_heartbeat", "b_failed", "c_old"}  # newest per run
    assert page["total"] == 3
    body["filter"]["order"] = "ASC"
    page = api.post("/api/events/filter", body, format="json").json()
    assert [e["id"] for e in page["events"]] == [
        corpus[k]["id"] for k in ("c_old", "a_completed", "b_failed")
    ]
