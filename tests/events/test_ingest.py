"""The ingestion service: idempotent on event id, server-stamped `received`, the size rule,
one resource row per involved resource, the recorder inside the transaction and the bus
after commit (spec/events.md §2.2-2.3, §3.4, §5)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import transaction

from events import bus, recorder
from events.models import Event, EventResource
from events.storage.inserts import COMBINED_MAX_EVENTS
from tests.events.conftest import FLOW_RUN, event_json, flow, store, tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    batches: list[list[dict]] = []
    unsubscribe = bus.subscribe(batches.append)
    yield batches
    unsubscribe()


def resource_rows(event_id) -> list[tuple[str, str, dict]]:
    rows = EventResource.objects.filter(event_id=event_id).order_by("id")
    return [(r.resource_id, r.resource_role, r.resource) for r in rows]


def test_the_same_id_twice_stores_one_row_and_one_set_of_resource_rows():
    event = event_json(related=[tag("db")])
    assert len(store(event, event)) == 1
    assert store(event) == []
    assert Event.objects.count() == 1
    assert len(resource_rows(event["id"])) == 2


def test_a_resend_in_a_later_batch_returns_only_the_new_events():
    first, second = event_json("first"), event_json("second")
    store(first)
    stored = store(first, second)
    assert [e["event"] for e in stored] == ["second"]


@pytest.mark.parametrize("size", [1, COMBINED_MAX_EVENTS, COMBINED_MAX_EVENTS + 1])
def test_batches_of_every_size_store_resource_rows_for_their_new_events_only(size):
    # Up to COMBINED_MAX_EVENTS events go in one statement with their resource rows on
    # PostgreSQL, larger batches in two: both store the same rows.
    events = [event_json(f"e{i}", related=[tag(f"t{i}"), flow()]) for i in range(size)]
    store(events[0])
    stored = store(*events)

    assert [e["event"] for e in stored] == [f"e{i}" for i in range(1, size)]
    assert Event.objects.count() == size
    assert EventResource.objects.count() == 3 * size
    for i, event in enumerate(events):
        assert resource_rows(event["id"]) == [
            (FLOW_RUN, "", {}),
            (f"prefect.tag.t{i}", "tag", {}),
            (flow()["prefect.resource.id"], "flow", {"prefect.resource.name": "etl"}),
        ]


def test_returned_events_have_prefects_keys_in_order_and_a_server_received():
    received = datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    event = event_json(occurred="2030-05-06T07:08:00Z", follows=str(uuid.uuid4()))
    (stored,) = store(event, received=received)
    assert list(stored) == [
        "occurred",
        "event",
        "resource",
        "related",
        "payload",
        "id",
        "follows",
        "received",
    ]
    assert stored["received"] == "2030-05-06T07:08:09.123456Z"
    assert stored["occurred"] == "2030-05-06T07:08:00Z"
    assert stored["follows"] == event["follows"]


def test_one_resource_row_per_involved_resource_without_id_and_role_labels():
    event = event_json(
        resource={"prefect.resource.id": FLOW_RUN, "prefect.resource.name": "banana"},
        related=[flow(), tag("db")],
    )
    store(event)
    assert resource_rows(event["id"]) == [
        (FLOW_RUN, "", {"prefect.resource.name": "banana"}),
        ("prefect.flow.f1", "flow", {"prefect.resource.name": "etl"}),
        ("prefect.tag.db", "tag", {}),
    ]
    stored = Event.objects.get()
    assert stored.resource_id == FLOW_RUN
    assert stored.related_resource_ids == ["prefect.flow.f1", "prefect.tag.db"]


def test_events_over_the_size_limit_are_dropped_silently(caplog, settings):
    settings.PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES = 2_000
    big = event_json("big", payload={"blob": "x" * 2_000})
    small = event_json("small")
    stored = store(big, small)
    assert [e["event"] for e in stored] == ["small"]
    assert list(Event.objects.values_list("event", flat=True)) == ["small"]
    assert "Refusing to publish event of size" in caplog.text


def test_the_default_limit_is_one_and_a_half_megabytes(api):
    over = event_json("over", payload={"blob": "x" * 1_500_000})
    under = event_json("under", payload={"blob": "x" * 1_400_000})
    assert api.post("/api/events", [over, under], format="json").status_code == 204
    assert list(Event.objects.values_list("event", flat=True)) == ["under"]


def test_nul_characters_are_dropped_from_text():
    event = event_json("a\x00b", payload={"k\x00": ["v\x00w"]})
    (stored,) = store(event)
    assert stored["event"] == "ab"
    assert Event.objects.get().payload == {"k": ["vw"]}


def test_non_ascii_text_round_trips():
    event = event_json(resource={"prefect.resource.id": "r", "name": "café ☕"})
    store(event)
    assert Event.objects.get().resource["name"] == "café ☕"


def test_new_events_are_published_after_commit_only(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stored = store(event_json("a"))
        assert published == []
    assert published == [stored]


def test_nothing_is_published_when_the_transaction_rolls_back(
    published, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        store(event_json("a"))
        raise RuntimeError
    assert published == []
    assert not Event.objects.exists()


def test_duplicates_are_not_published_again(published, django_capture_on_commit_callbacks):
    event = event_json()
    with django_capture_on_commit_callbacks(execute=True):
        store(event)
        store(event)
    assert len(published) == 1


def test_stream_out_disabled_publishes_nothing(
    published, settings, django_capture_on_commit_callbacks
):
    settings.PREFECT_API_EVENTS_STREAM_OUT_ENABLED = "false"
    with django_capture_on_commit_callbacks(execute=True):
        store(event_json())
    assert published == []
    assert Event.objects.count() == 1


def test_the_recorder_sees_the_new_events_inside_the_transaction(monkeypatch):
    seen: list[tuple[list[str], bool]] = []

    def record(events):
        seen.append(([e.event for e in events], transaction.get_connection().in_atomic_block))

    monkeypatch.setattr(recorder, "record_task_run_events", record)
    event = event_json("prefect.task-run.Completed")
    store(event, event_json("other"))
    store(event)
    assert seen == [(["prefect.task-run.Completed", "other"], True)]


def test_a_failing_subscriber_does_not_stop_the_others(django_capture_on_commit_callbacks):
    received: list[list[dict]] = []

    def broken(events):
        raise ValueError("boom")

    unsubscribers = [bus.subscribe(broken), bus.subscribe(received.append)]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            store(event_json())
    finally:
        for unsubscribe in unsubscribers:
            unsubscribe()
    assert len(received) == 1
