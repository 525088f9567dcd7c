"""`POST /api/events` validates every event as Prefect does (spec/events.md §2.1, §4):
all or nothing, 422 bodies with `loc: ["body", index, field...]`."""

from __future__ import annotations

import uuid

import pytest

from events.models import Event
from tests.events.conftest import FLOW_RUN, event_json

pytestmark = pytest.mark.django_db


def post(api, body):
    return api.post("/api/events", body, format="json")


def only_error(response) -> dict:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["exception_message"] == "Invalid request received."
    (error,) = body["exception_detail"]
    return error


def stored_names() -> list[str]:
    return list(Event.objects.order_by("occurred").values_list("event", flat=True))


def test_a_valid_batch_is_stored_and_answered_204_with_no_body(api):
    response = post(api, [event_json("a"), event_json("b")])
    assert response.status_code == 204
    assert response.content == b""
    assert sorted(stored_names()) == ["a", "b"]


def test_the_trailing_slash_form_is_answered_directly(api):
    response = api.post("/api/events/", [event_json("slash")], format="json")
    assert response.status_code == 204
    assert stored_names() == ["slash"]


def test_an_empty_list_is_accepted(api):
    assert post(api, []).status_code == 204


def test_one_invalid_event_fails_the_whole_batch(api):
    bad = event_json("bad", resource={})
    response = post(api, [event_json("good"), bad])
    assert response.status_code == 422
    assert stored_names() == []
    body = response.json()
    assert body["request_body"][1]["event"] == "bad"


def test_a_body_that_is_not_a_list_is_list_type_at_body(api):
    error = only_error(post(api, {"event": "x"}))
    assert error["type"] == "list_type"
    assert error["loc"] == ["body"]
    assert error["msg"] == "Input should be a valid list"


def test_missing_occurred_is_reported_at_its_index(api):
    event = event_json()
    del event["occurred"]
    error = only_error(post(api, [event_json(), event]))
    assert error == {
        "type": "missing",
        "loc": ["body", 1, "occurred"],
        "msg": "Field required",
        "input": event,
    }


def test_an_unparseable_occurred_says_so_in_prefects_words(api):
    error = only_error(post(api, [event_json(occurred="yesterday")]))
    assert error["type"] == "value_error"
    assert error["loc"] == ["body", 0, "occurred"]
    assert error["msg"] == "Value error, Unable to parse string [yesterday]"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z"),
        ("2026-01-02T05:04:05+02:00", "2026-01-02T03:04:05Z"),
        ("2026-01-02T03:04:05.250", "2026-01-02T03:04:05.250000Z"),  # naive means UTC
        (1767323045, "2026-01-02T03:04:05Z"),  # a Unix epoch number
        ("2001-01-01T00:00:00Z", "2001-01-01T00:00:00Z"),  # no range check
        ("2099-12-31T23:59:59Z", "2099-12-31T23:59:59Z"),
    ],
)
def test_occurred_is_parsed_leniently_and_stored_in_utc(api, sent, stored):
    event = event_json(occurred=sent)
    assert post(api, [event]).status_code == 204
    found = api.post(
        "/api/events/filter",
        {
            "filter": {
                "occurred": {"since": "2000-01-01T00:00:00Z", "until": "2100-01-01T00:00:00Z"}
            }
        },
        format="json",
    ).json()
    assert [e["occurred"] for e in found["events"]] == [stored]


def test_an_event_name_longer_than_1024_characters_is_refused(api):
    error = only_error(post(api, [event_json("x" * 1025)]))
    assert error["loc"] == ["body", 0, "event"]
    assert error["msg"] == "Value error, Event name must be at most 1024 characters"
    assert error["ctx"] == {"error": {}}


def test_names_up_to_1024_characters_and_empty_names_are_accepted(api):
    assert post(api, [event_json("x" * 1024), event_json("")]).status_code == 204
    assert len(stored_names()) == 2


def test_the_name_limit_follows_its_setting(api, settings):
    settings.PREFECT_SERVER_EVENTS_MAXIMUM_EVENT_NAME_LENGTH = 5
    error = only_error(post(api, [event_json("abcdef")]))
    assert error["msg"] == "Value error, Event name must be at most 5 characters"


def test_a_resource_without_an_id_label(api):
    error = only_error(post(api, [event_json(resource={"prefect.resource.name": "n"})]))
    assert error == {
        "type": "value_error",
        "loc": ["body", 0, "resource"],
        "msg": "Value error, Resources must include the prefect.resource.id label",
        "input": {"prefect.resource.name": "n"},
        "ctx": {"error": {}},
    }


def test_a_resource_with_an_empty_id_label(api):
    error = only_error(post(api, [event_json(resource={"prefect.resource.id": ""})]))
    assert error["msg"] == "Value error, The prefect.resource.id label must be non-empty"


def test_label_values_must_be_strings(api):
    error = only_error(post(api, [event_json(resource={"prefect.resource.id": "r", "n": 5})]))
    assert error["type"] == "string_type"
    assert error["loc"] == ["body", 0, "resource", "n"]
    assert error["msg"] == "Input should be a valid string"


def test_at_most_500_labels_per_resource(api):
    labels = {"prefect.resource.id": "r", **{f"l{i}": "v" for i in range(499)}}
    assert post(api, [event_json(resource=labels)]).status_code == 204
    labels["one-too-many"] = "v"
    error = only_error(post(api, [event_json(resource=labels)]))
    assert error["msg"] == "Value error, The maximum number of labels per resource is 500"


def test_a_related_resource_needs_a_role(api):
    related = [{"prefect.resource.id": "prefect.flow.1"}]
    error = only_error(post(api, [event_json(related=related)]))
    assert error["loc"] == ["body", 0, "related", 0]
    assert (
        error["msg"]
        == "Value error, Related Resources must include the prefect.resource.role label"
    )


def test_a_related_resource_needs_a_non_empty_role(api):
    related = [{"prefect.resource.id": "a", "prefect.resource.role": "x"}]
    related.append({"prefect.resource.id": "b", "prefect.resource.role": ""})
    error = only_error(post(api, [event_json(related=related)]))
    assert error["loc"] == ["body", 0, "related", 1]
    assert error["msg"] == "Value error, The prefect.resource.role label must be non-empty"


def test_at_most_100_related_resources(api):
    related = [{"prefect.resource.id": f"r{i}", "prefect.resource.role": "tag"} for i in range(101)]
    error = only_error(post(api, [event_json(related=related)]))
    assert error["loc"] == ["body", 0, "related"]
    assert error["msg"] == "Value error, The maximum number of related resources is 100"
    assert post(api, [event_json(related=related[:100])]).status_code == 204


def test_the_related_limit_honours_its_alias(api, settings):
    settings.PREFECT_EVENTS_MAXIMUM_RELATED_RESOURCES = 1
    related = [{"prefect.resource.id": f"r{i}", "prefect.resource.role": "tag"} for i in range(2)]
    error = only_error(post(api, [event_json(related=related)]))
    assert error["msg"] == "Value error, The maximum number of related resources is 1"


@pytest.mark.parametrize(("key", "type_"), [("related", "list_type"), ("payload", "dict_type")])
def test_null_related_or_payload_is_a_validation_error(api, key, type_):
    event = event_json()
    event[key] = None
    error = only_error(post(api, [event]))
    assert error["type"] == type_
    assert error["loc"] == ["body", 0, key]


def test_related_and_payload_default_to_empty(api):
    event = event_json()
    del event["related"], event["payload"], event["follows"]
    assert post(api, [event]).status_code == 204
    stored = Event.objects.get()
    assert (stored.related, stored.payload, stored.follows) == ([], {}, None)


def test_the_id_is_required_and_any_uuid_version_is_accepted(api):
    event = event_json()
    del event["id"]
    assert only_error(post(api, [event]))["loc"] == ["body", 0, "id"]
    v1 = uuid.uuid1()
    assert post(api, [event_json(id=v1)]).status_code == 204
    assert Event.objects.get().id == v1


def test_follows_must_be_a_uuid_and_is_stored_without_checks(api):
    error = only_error(post(api, [event_json(follows="nope")]))
    assert error["type"] == "uuid_parsing"
    assert error["loc"] == ["body", 0, "follows"]
    earlier = uuid.uuid4()
    assert post(api, [event_json(follows=str(earlier))]).status_code == 204
    assert Event.objects.get().follows == earlier


def test_unknown_keys_and_a_client_received_are_ignored(api):
    event = event_json(received="2000-01-01T00:00:00Z", surprise={"a": 1})
    assert post(api, [event]).status_code == 204
    stored = Event.objects.get()
    assert stored.received.year > 2000
    assert stored.resource == {"prefect.resource.id": FLOW_RUN}


def test_invalid_json_is_the_shared_json_invalid_error(api):
    response = api.post("/api/events", "[{", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "json_invalid"
