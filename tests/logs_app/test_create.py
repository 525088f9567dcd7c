"""`POST /api/logs/`: a JSON array of LogCreate (api.md §7.3)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from logs_app.models import Log

from .helpers import log_body

pytestmark = pytest.mark.django_db


def post_logs(api, body, path="/api/logs/"):
    return api.post(path, body, format="json")


def post_raw(api, raw: bytes):
    return api.generic("POST", "/api/logs/", raw, content_type="application/json")


def test_create_stores_every_log_and_answers_201_null(api):
    run_id, task_id = uuid.uuid4(), uuid.uuid4()
    body = [
        log_body(message="first", level=10, flow_run_id=str(run_id), task_run_id=str(task_id)),
        log_body(message="second", name="custom", timestamp="2024-01-01T00:00:01.5Z"),
    ]
    response = post_logs(api, body)
    assert response.status_code == 201
    assert response.content == b"null"
    first = Log.objects.get(message="first")
    assert (first.level, first.flow_run_id, first.task_run_id) == (10, run_id, task_id)
    second = Log.objects.get(message="second")
    assert second.name == "custom"
    assert second.timestamp == datetime(2024, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)
    assert (second.flow_run_id, second.task_run_id) == (None, None)


def test_log_ids_are_uuid7_in_the_order_sent(api):
    post_logs(api, [log_body(message=str(i)) for i in range(5)])
    rows = list(Log.objects.order_by("id"))
    assert [row.id.version for row in rows] == [7] * 5
    assert [row.message for row in rows] == ["0", "1", "2", "3", "4"]


def test_created_and_updated_are_set_by_the_server(api):
    post_logs(api, [log_body()])
    log = Log.objects.get()
    assert log.created == log.updated
    assert (datetime.now(UTC) - log.created).total_seconds() < 60


def test_path_without_trailing_slash_also_creates(api):
    assert post_logs(api, [log_body()], path="/api/logs").status_code == 201
    assert Log.objects.count() == 1


def test_empty_list_is_accepted_and_stores_nothing(api):
    response = post_logs(api, [])
    assert (response.status_code, response.content) == (201, b"null")
    assert Log.objects.count() == 0


def test_logs_for_unknown_runs_are_accepted(api):
    assert post_logs(api, [log_body(flow_run_id=str(uuid.uuid4()))]).status_code == 201


def test_nul_characters_are_stripped_from_message_and_name(api):
    body = [log_body(name="my\x00logger", message="a\x00b\x00c")]
    assert post_logs(api, body).status_code == 201
    log = Log.objects.get()
    assert (log.name, log.message) == ("mylogger", "abc")


def test_timestamps_are_stored_in_utc_and_naive_ones_read_as_utc(api):
    body = [
        log_body(message="offset", timestamp="2024-01-01T02:00:00+02:00"),
        log_body(message="naive", timestamp="2024-01-01 00:00:00"),
    ]
    assert post_logs(api, body).status_code == 201
    expected = datetime(2024, 1, 1, tzinfo=UTC)
    assert {log.timestamp for log in Log.objects.all()} == {expected}


def test_level_is_coerced_from_a_numeric_string(api):
    assert post_logs(api, [log_body(level="30")]).status_code == 201
    assert Log.objects.get().level == 30


def test_a_large_batch_is_stored_in_one_request(api):
    assert post_logs(api, [log_body(message=f"m{i}") for i in range(2500)]).status_code == 201
    assert Log.objects.count() == 2500


# --- validation ---------------------------------------------------------------------------------


def test_an_object_body_is_422_is_instance_of_sequence(api):
    response = post_logs(api, {"name": "x"})
    assert response.status_code == 422
    assert response.json() == {
        "exception_message": "Invalid request received.",
        "exception_detail": [
            {
                "type": "is_instance_of",
                "loc": ["body"],
                "msg": "Input should be an instance of Sequence",
                "input": {"name": "x"},
                "ctx": {"class": "Sequence"},
            }
        ],
        "request_body": {"name": "x"},
    }


def test_a_number_body_is_422_is_instance_of_sequence(api):
    detail = post_raw(api, b"5").json()["exception_detail"]
    assert [(e["type"], e["loc"], e["input"]) for e in detail] == [("is_instance_of", ["body"], 5)]


def test_a_string_body_is_422_sequence_str(api):
    response = post_raw(api, b'"abc"')
    assert response.status_code == 422
    assert response.json()["exception_detail"] == [
        {
            "type": "sequence_str",
            "loc": ["body"],
            "msg": "'str' instances are not allowed as a Sequence value",
            "input": "abc",
            "ctx": {"type_name": "str"},
        }
    ]


@pytest.mark.parametrize("raw", [b"", b"null"])
def test_no_body_or_null_is_422_missing(api, raw):
    response = post_raw(api, raw)
    assert response.status_code == 422
    assert response.json() == {
        "exception_message": "Invalid request received.",
        "exception_detail": [
            {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
        ],
        "request_body": None,
    }


def test_invalid_json_is_422_json_invalid(api):
    response = post_raw(api, b"[{")
    assert response.status_code == 422
    assert response.json()["exception_detail"][0]["type"] == "json_invalid"
    assert response.json()["request_body"] == "[{"


def test_missing_fields_are_reported_per_log_and_nothing_is_stored(api):
    response = post_logs(api, [log_body(), {"name": "x"}])
    assert response.status_code == 422
    assert response.json()["exception_detail"] == [
        {
            "type": "missing",
            "loc": ["body", 1, field],
            "msg": "Field required",
            "input": {"name": "x"},
        }
        for field in ("level", "message", "timestamp")
    ]
    assert Log.objects.count() == 0


def test_unknown_keys_are_422_extra_forbidden(api):
    response = post_logs(api, [log_body(worker_id="w")])
    assert response.status_code == 422
    assert response.json()["exception_detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["body", 0, "worker_id"],
            "msg": "Extra inputs are not permitted",
            "input": "w",
        }
    ]


@pytest.mark.parametrize(
    ("field", "value", "error_type"),
    [
        ("timestamp", "garbage", "value_error"),
        ("level", "high", "int_parsing"),
        ("level", 100_000, "less_than_equal"),
        ("flow_run_id", "not-a-uuid", "uuid_parsing"),
        ("message", None, "string_type"),
        ("name", 5, "string_type"),
    ],
)
def test_bad_values_are_422(api, field, value, error_type):
    response = post_logs(api, [log_body(**{field: value})])
    assert response.status_code == 422
    error = response.json()["exception_detail"][0]
    assert (error["type"], error["loc"]) == (error_type, ["body", 0, field])


def test_unparseable_timestamp_uses_prefect_wording(api):
    error = post_logs(api, [log_body(timestamp="garbage")]).json()["exception_detail"][0]
    assert error["msg"] == "Value error, Unable to parse string [garbage]"


def test_get_is_405(api):
    response = api.get("/api/logs/")
    assert (response.status_code, response.json()) == (405, {"detail": "Method Not Allowed"})
