"""`POST /api/events/count-by/{countable}` (spec/events.md §8.4): time buckets aligned to
the 2024-04-01 pivot with empty ones filled in, the 1000-bucket cap, and counts by event
name and resource."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.events.conftest import event_json, store

pytestmark = pytest.mark.django_db


def count(api, countable, body):
    response = api.post(f"/api/events/count-by/{countable}", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def window(since: str, until: str) -> dict:
    return {"occurred": {"since": since, "until": until}}


def at(text: str) -> dict:
    return event_json(occurred=text)


def test_days_are_calendar_days_with_empty_ones_counted_zero(api):
    store(at("2025-01-01T06:00:00Z"), at("2025-01-01T23:59:59.999999Z"), at("2025-01-03T00:00:00Z"))
    counts = count(api, "day", {"filter": window("2025-01-01T05:00:00Z", "2025-01-04T12:00:00Z")})
    assert counts == [
        {
            "value": str(i),
            "label": f"2025-01-0{i + 1}T00:00:00+00:00",
            "count": n,
            "start_time": f"2025-01-0{i + 1}T00:00:00Z",
            "end_time": f"2025-01-0{i + 1}T23:59:59.999999Z",
        }
        for i, n in enumerate([2, 0, 1, 0])
    ]


def test_day_ignores_time_unit_and_interval(api):
    body = {"filter": window("2025-01-01T00:00:00Z", "2025-01-02T12:00:00Z"), "time_unit": "hour"}
    assert [c["label"] for c in count(api, "day", body)] == [
        "2025-01-01T00:00:00+00:00",
        "2025-01-02T00:00:00+00:00",
    ]


def test_weeks_start_on_monday_as_the_pivot_does(api):
    store(at("2025-01-08T10:00:00Z"), at("2025-01-13T00:00:00Z"))  # a Wednesday, a Monday
    body = {"filter": window("2025-01-08T00:00:00Z", "2025-01-14T00:00:00Z"), "time_unit": "week"}
    counts = count(api, "time", body)
    assert [(c["label"], c["count"]) for c in counts] == [
        ("2025-01-06T00:00:00+00:00", 1),
        ("2025-01-13T00:00:00+00:00", 1),
    ]
    assert counts[0]["end_time"] == "2025-01-12T23:59:59.999999Z"


def test_fractional_intervals_are_aligned_to_the_pivot(api):
    # 90-minute buckets counted from 2024-04-01T00:00Z: 2025-01-01 00:00 is 6600 hours later,
    # 4400 buckets exactly, so buckets start at 00:00, 01:30, 03:00 that day.
    store(at("2025-01-01T01:29:59.999999Z"), at("2025-01-01T01:30:00Z"), at("2025-01-01T03:10:00Z"))
    body = {
        "filter": window("2025-01-01T00:45:00Z", "2025-01-01T03:30:00Z"),
        "time_unit": "hour",
        "time_interval": 1.5,
    }
    counts = count(api, "time", body)
    assert [(c["value"], c["label"], c["count"]) for c in counts] == [
        ("0", "2025-01-01T00:00:00+00:00", 1),
        ("1", "2025-01-01T01:30:00+00:00", 1),
        ("2", "2025-01-01T03:00:00+00:00", 1),
    ]


def test_times_before_the_pivot_fall_in_the_right_bucket(api):
    store(at("2023-06-01T00:59:59.999999Z"), at("2023-06-01T01:00:00Z"))
    body = {"filter": window("2023-06-01T00:00:00Z", "2023-06-01T01:30:00Z"), "time_unit": "hour"}
    assert [c["count"] for c in count(api, "time", body)] == [1, 1]


def test_a_future_until_ends_with_the_current_unit(api, monkeypatch):
    now = datetime(2025, 3, 4, 10, 20, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    store(at("2025-03-04T10:05:00Z"))
    body = {"filter": window("2025-03-04T08:00:00Z", "2025-03-06T00:00:00Z"), "time_unit": "hour"}
    counts = count(api, "time", body)
    assert [(c["label"], c["count"]) for c in counts] == [
        ("2025-03-04T08:00:00+00:00", 0),
        ("2025-03-04T09:00:00+00:00", 0),
        ("2025-03-04T10:00:00+00:00", 1),
    ]


def test_more_than_1000_buckets_is_refused_with_prefects_message(api):
    body = {"filter": window("2025-01-01T00:00:00Z", "2025-01-01T16:41:00Z"), "time_unit": "minute"}
    response = api.post("/api/events/count-by/time", body, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The given interval would create 1001 buckets, which is too many. Please "
        "increase the interval or reduce the time range to produce 1000 buckets or fewer."
    }
    body["filter"] = window("2025-01-01T00:00:00Z", "2025-01-01T16:40:00Z")
    assert len(count(api, "time", body)) == 1000


def test_the_default_window_by_minute_is_too_many_buckets(api):
    response = api.post(
        "/api/events/count-by/time", {"filter": {}, "time_unit": "minute"}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The given interval would create 2")


def test_interval_below_one_hundredth_is_a_validation_error(api):
    body = {"filter": {}, "time_interval": 0.001}
    response = api.post("/api/events/count-by/time", body, format="json")
    error = response.json()["exception_detail"][0]
    assert (response.status_code, error["type"], error["loc"]) == (
        422,
        "greater_than_equal",
        ["body", "time_interval"],
    )


def test_an_unknown_countable_and_a_missing_filter(api):
    response = api.post("/api/events/count-by/weeks", {}, format="json")
    assert response.status_code == 422
    errors = response.json()["exception_detail"]
    assert errors[0] == {
        "type": "enum",
        "loc": ["path", "countable"],
        "msg": "Input should be 'day', 'time', 'event' or 'resource'",
        "input": "weeks",
        "ctx": {"expected": "'day', 'time', 'event' or 'resource'"},
    }
    assert errors[1]["type"] == "missing"
    assert errors[1]["loc"] == ["body", "filter"]


def test_an_unknown_time_unit_is_an_enum_error(api):
    response = api.post(
        "/api/events/count-by/time", {"filter": {}, "time_unit": "year"}, format="json"
    )
    assert response.json()["exception_detail"][0]["type"] == "enum"


def test_counts_by_event_name_most_frequent_first_then_by_name(api):
    store(
        event_json("b", occurred="2025-01-01T01:00:00Z"),
        event_json("b", occurred="2025-01-01T03:00:00Z"),
        event_json("c", occurred="2025-01-01T02:00:00Z"),
        event_json("a", occurred="2025-01-01T02:30:00Z"),
    )
    counts = count(api, "event", {"filter": window("2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")})
    assert counts == [
        {
            "value": "b",
            "label": "b",
            "count": 2,
            "start_time": "2025-01-01T01:00:00Z",
            "end_time": "2025-01-01T03:00:00Z",
        },
        {
            "value": "a",
            "label": "a",
            "count": 1,
            "start_time": "2025-01-01T02:30:00Z",
            "end_time": "2025-01-01T02:30:00Z",
        },
        {
            "value": "c",
            "label": "c",
            "count": 1,
            "start_time": "2025-01-01T02:00:00Z",
            "end_time": "2025-01-01T02:00:00Z",
        },
    ]


def test_counts_by_resource_are_labelled_by_the_latest_name(api):
    def on(resource, when):
        return event_json(occurred=when, resource=resource)

    store(
        on({"prefect.resource.id": "r1", "prefect.resource.name": "old"}, "2025-01-01T01:00:00Z"),
        on({"prefect.resource.id": "r1", "prefect.resource.name": "new"}, "2025-01-01T02:00:00Z"),
        on({"prefect.resource.id": "r2", "prefect.name": "second"}, "2025-01-01T03:00:00Z"),
        on({"prefect.resource.id": "r3"}, "2025-01-01T04:00:00Z"),
    )
    counts = count(
        api, "resource", {"filter": window("2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")}
    )
    assert [(c["value"], c["label"], c["count"]) for c in counts] == [
        ("r1", "new", 2),
        ("r3", "r3", 1),
        ("r2", "second", 1),
    ]
    assert counts[0]["start_time"] == "2025-01-01T01:00:00Z"
    assert counts[0]["end_time"] == "2025-01-01T02:00:00Z"


def test_counts_apply_the_filter(api):
    store(
        event_json("x", occurred="2025-01-01T01:00:00Z"),
        event_json("y", occurred="2025-01-01T01:00:00Z"),
    )
    body = {
        "filter": {
            **window("2025-01-01T00:00:00Z", "2025-01-01T23:00:00Z"),
            "event": {"name": ["x"]},
        }
    }
    assert [c["count"] for c in count(api, "day", body)] == [1]
    assert [c["value"] for c in count(api, "event", body)] == ["x"]


def test_one_bucket_can_hold_events_exactly_on_its_start(api):
    store(at("2025-01-02T00:00:00Z"))
    counts = count(api, "day", {"filter": window("2025-01-01T12:00:00Z", "2025-01-02T00:00:01Z")})
    assert [c["count"] for c in counts] == [0, 1]
    assert timedelta(days=1) == datetime.fromisoformat(counts[1]["label"]) - datetime.fromisoformat(
        counts[0]["label"]
    )
