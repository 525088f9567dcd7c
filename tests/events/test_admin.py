"""The event admin: read-only, newest first, filtered by name prefix, involved resource and
time, payload shown pretty on the detail page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.events.conftest import event_json, flow, store

pytestmark = pytest.mark.django_db

EVENTS = "/admin/events/event/"


def listed(response) -> list[str]:
    return [event.event for event in response.context["cl"].result_list]


def minutes_ago(minutes: int) -> object:
    return timezone.now() - timedelta(minutes=minutes)


def test_newest_first(admin_client):
    store(
        event_json("older", occurred=minutes_ago(5)), event_json("newer", occurred=minutes_ago(1))
    )
    response = admin_client.get(EVENTS)
    assert response.status_code == 200
    assert listed(response) == ["newer", "older"]


def test_filter_by_name_prefix_is_case_sensitive(admin_client):
    store(event_json("prefect.flow-run.Completed"), event_json("Prefect.other"), event_json("x"))
    response = admin_client.get(EVENTS, {"event_prefix": "prefect."})
    assert listed(response) == ["prefect.flow-run.Completed"]


def test_filter_by_an_involved_resource_primary_or_related(admin_client):
    store(
        event_json(
            "primary", occurred=minutes_ago(3), resource={"prefect.resource.id": "prefect.flow.f1"}
        ),
        event_json("related", occurred=minutes_ago(2), related=[flow("f1")]),
        event_json("unrelated", occurred=minutes_ago(1)),
    )
    response = admin_client.get(EVENTS, {"resource_id": "prefect.flow.f1"})
    assert listed(response) == ["related", "primary"]


def test_filter_by_time_range(admin_client):
    store(
        event_json("recent", occurred=minutes_ago(5)),
        event_json("old", occurred=minutes_ago(60 * 30)),
    )
    assert listed(admin_client.get(EVENTS, {"occurred": "24h"})) == ["recent"]


def test_search_by_event_id(admin_client):
    (wanted,) = store(event_json("wanted"))
    store(event_json("other"))
    assert listed(admin_client.get(EVENTS, {"q": wanted["id"]})) == ["wanted"]
    assert listed(admin_client.get(EVENTS, {"q": "not-a-uuid"})) == []


def test_detail_shows_the_payload_pretty_and_links_what_it_follows(admin_client):
    (first,) = store(event_json("first"))
    (second,) = store(
        event_json(
            "second", payload={"validated_state": {"type": "COMPLETED"}}, follows=first["id"]
        )
    )
    page = admin_client.get(f"{EVENTS}{second['id']}/change/").content.decode()
    assert "&quot;validated_state&quot;: {\n    &quot;type&quot;: &quot;COMPLETED&quot;" in page
    assert f'href="/admin/events/event/{first["id"]}/change/"' in page


def test_nothing_can_be_added_changed_or_deleted(admin_client):
    (event,) = store(event_json())
    assert admin_client.get(f"{EVENTS}add/").status_code == 403
    assert admin_client.post(f"{EVENTS}{event['id']}/delete/").status_code == 403
    assert "Save" not in admin_client.get(f"{EVENTS}{event['id']}/change/").content.decode()


def test_a_big_table_is_never_counted_in_full(admin_client, monkeypatch):
    from django.db import connection

    from events.admin import EventPaginator

    monkeypatch.setattr(EventPaginator, "max_rows", 3)
    store(*(event_json(f"e{i}") for i in range(6)))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events")
    page = admin_client.get(EVENTS).content.decode()
    expected = "about 6" if connection.vendor == "postgresql" else "more than 3"
    assert expected in page
