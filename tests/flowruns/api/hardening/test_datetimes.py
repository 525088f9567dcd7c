"""Datetimes that leave the calendar in UTC, offsets PostgreSQL would refuse, and history
intervals that are not a usable number of seconds."""

# Raw bodies are written as JSON text, with %-templates (braces everywhere).
# ruff: noqa: UP031

from __future__ import annotations

import pytest

from tests.factories import FlowFactory, FlowRunFactory

from .helpers import detail, send, stored_rows

pytestmark = pytest.mark.django_db

OVERFLOW = "9999-12-31T23:59:59-01:00"  # year 10000 in UTC


def test_a_datetime_that_overflows_in_utc_is_refused_in_a_body(api):
    flow = FlowFactory()
    before = stored_rows()
    body = (
        '{"flow_id": "%s", "state": {"type": "SCHEDULED", "state_details": '
        '{"scheduled_time": "%s"}}}' % (flow.id, OVERFLOW)
    )
    response = send(api, "POST", "/api/flow_runs/", body)
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == ["body", "state", "state_details", "scheduled_time"]
    assert "out of range" in error["msg"]
    assert stored_rows() == before


def test_a_filter_datetime_that_overflows_is_refused(api):
    body = '{"flow_runs": {"start_time": {"before_": "%s"}}}' % OVERFLOW
    response = send(api, "POST", "/api/flow_runs/filter", body)
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["body", "flow_runs", "start_time", "before_"]


@pytest.mark.parametrize("offset", ["+23:00", "-16:00", "+15:59"])
def test_query_parameter_offsets_beyond_postgres_range_are_converted_to_utc(api, offset):
    run = FlowRunFactory()
    # 2024-01-01T12:00 at the offset; the run started today, long after
    value = f"2024-01-01T12:00:00{offset}".replace("+", "%2B")
    response = api.get(f"/api/flow_runs/?created_after={value}")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(run.id)]


def test_a_query_parameter_that_overflows_is_a_400_naming_it(api):
    response = api.get(f"/api/flow_runs/?start_time_after={OVERFLOW}")
    assert response.status_code == 400
    assert list(response.json()["detail"]) == ["start_time_after"]


@pytest.mark.parametrize("interval", ["NaN", "Infinity", "-Infinity", "1e300"])
def test_history_interval_must_be_a_usable_number_of_seconds(api, interval):
    body = (
        '{"history_start": "2024-01-01T00:00:00Z", "history_end": "2024-01-02T00:00:00Z", '
        '"history_interval_seconds": %s}' % interval
    )
    response = send(api, "POST", "/api/flow_runs/history", body)
    assert response.status_code == 422
    assert detail(response)[0]["loc"] == ["body", "history_interval_seconds"]
