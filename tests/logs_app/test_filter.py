"""`POST /api/logs/filter`: LogFilter, sort, limit and offset (api.md §7.4, client.md §7)."""

from __future__ import annotations

import uuid

import pytest

from logs_app.models import Log
from tests.factories import LogFactory

from .helpers import at

pytestmark = pytest.mark.django_db

LOG_KEYS = [
    "id",
    "created",
    "updated",
    "name",
    "level",
    "message",
    "timestamp",
    "flow_run_id",
    "task_run_id",
]


def filter_logs(api, body=None):
    return api.post("/api/logs/filter", body, format="json")


def messages(response):
    assert response.status_code == 200, response.content
    return [log["message"] for log in response.json()]


def matching(api, log_filter):
    return set(messages(filter_logs(api, {"logs": log_filter})))


def test_no_body_returns_every_log_oldest_first(api):
    for second in (2, 0, 1):
        LogFactory.create(message=f"t{second}", timestamp=at(second))
    assert messages(filter_logs(api)) == ["t0", "t1", "t2"]


def test_a_log_has_prefect_keys_in_prefect_order(api):
    run_id = uuid.uuid4()
    log = LogFactory.create(
        name="prefect.task_runs",
        level=40,
        message="boom",
        timestamp=at(0.000005),
        flow_run_id=run_id,
        task_run_id=None,
    )
    [body] = filter_logs(api).json()
    assert list(body) == LOG_KEYS
    assert body["id"] == str(log.id)
    assert body["name"] == "prefect.task_runs"
    assert body["level"] == 40
    assert body["message"] == "boom"
    assert body["timestamp"] == "2024-01-01T00:00:00.000005Z"
    assert body["flow_run_id"] == str(run_id)
    assert body["task_run_id"] is None
    assert body["created"].endswith("Z")


def test_whole_second_timestamps_have_no_fraction(api):
    LogFactory.create(timestamp=at(8))
    assert filter_logs(api).json()[0]["timestamp"] == "2024-01-01T00:00:08Z"


def test_the_response_is_documented_field_for_field(api):
    LogFactory.create()
    schema = api.get("/api/schema/?format=json").json()
    content = schema["paths"]["/api/logs/filter"]["post"]["responses"]["200"]["content"]
    ref = content["application/json"]["schema"]["$ref"].split("/")[-1]
    item_ref = schema["components"]["schemas"][ref]["items"]["$ref"].split("/")[-1]
    documented = list(schema["components"]["schemas"][item_ref]["properties"])
    assert documented == list(filter_logs(api).json()[0]) == LOG_KEYS


# --- LogFilter ----------------------------------------------------------------------------------


class TestOperators:
    def test_level_ge_and_le(self, api):
        for level in (10, 20, 30, 40, 50):
            LogFactory.create(level=level, message=f"l{level}")
        assert matching(api, {"level": {"ge_": 30}}) == {"l30", "l40", "l50"}
        assert matching(api, {"level": {"le_": 20}}) == {"l10", "l20"}
        assert matching(api, {"level": {"ge_": 20, "le_": 40}}) == {"l20", "l30", "l40"}

    def test_timestamp_before_and_after_are_inclusive(self, api):
        for second in range(4):
            LogFactory.create(timestamp=at(second), message=f"t{second}")
        assert matching(api, {"timestamp": {"before_": "2024-01-01T00:00:01Z"}}) == {"t0", "t1"}
        assert matching(api, {"timestamp": {"after_": "2024-01-01T00:00:02Z"}}) == {"t2", "t3"}
        window = {"after_": "2024-01-01T00:00:01Z", "before_": "2024-01-01T00:00:02Z"}
        assert matching(api, {"timestamp": window}) == {"t1", "t2"}

    def test_timestamp_with_offset_is_compared_in_utc(self, api):
        LogFactory.create(timestamp=at(0), message="t0")
        LogFactory.create(timestamp=at(3600), message="t1h")
        assert matching(api, {"timestamp": {"after_": "2024-01-01T01:00:00+01:00"}}) == {
            "t0",
            "t1h",
        }
        assert matching(api, {"timestamp": {"after_": "2024-01-01T01:00:00"}}) == {"t1h"}

    def test_flow_run_id_any(self, api):
        run_a, run_b = uuid.uuid4(), uuid.uuid4()
        LogFactory.create(flow_run_id=run_a, message="a")
        LogFactory.create(flow_run_id=run_b, message="b")
        LogFactory.create(flow_run_id=None, message="none")
        assert matching(api, {"flow_run_id": {"any_": [str(run_a)]}}) == {"a"}
        assert matching(api, {"flow_run_id": {"any_": [str(run_a), str(run_b)]}}) == {"a", "b"}
        assert matching(api, {"flow_run_id": {"any_": []}}) == set()
        assert matching(api, {"flow_run_id": {"any_": None}}) == {"a", "b", "none"}

    def test_task_run_id_any_and_is_null(self, api):
        task_a, task_b = uuid.uuid4(), uuid.uuid4()
        LogFactory.create(task_run_id=task_a, message="a")
        LogFactory.create(task_run_id=task_b, message="b")
        LogFactory.create(task_run_id=None, message="flow")
        assert matching(api, {"task_run_id": {"any_": [str(task_b)]}}) == {"b"}
        assert matching(api, {"task_run_id": {"is_null_": True}}) == {"flow"}
        assert matching(api, {"task_run_id": {"is_null_": False}}) == {"a", "b"}
        both = {"any_": [str(task_a)], "is_null_": False}
        assert matching(api, {"task_run_id": both}) == {"a"}

    def test_operator_and_combines_criteria(self, api):
        LogFactory.create(level=40, task_run_id=None, message="error-flow")
        LogFactory.create(level=40, task_run_id=uuid.uuid4(), message="error-task")
        LogFactory.create(level=10, task_run_id=None, message="debug-flow")
        body = {"level": {"ge_": 40}, "task_run_id": {"is_null_": True}}
        assert matching(api, body) == {"error-flow"}
        assert matching(api, {"operator": "or_", **body}) == {
            "error-flow",
            "error-task",
            "debug-flow",
        }

    def test_unknown_keys_inside_the_filter_are_422(self, api):
        response = filter_logs(api, {"logs": {"level": {"gt_": 1}}})
        assert response.status_code == 422
        error = response.json()["exception_detail"][0]
        assert (error["type"], error["loc"]) == (
            "extra_forbidden",
            ["body", "logs", "level", "gt_"],
        )

    def test_bad_operator_is_422(self, api):
        response = filter_logs(api, {"logs": {"operator": "xor_"}})
        assert response.status_code == 422
        assert response.json()["exception_detail"][0]["loc"] == ["body", "logs", "operator"]

    def test_unknown_top_level_keys_are_ignored(self, api):
        LogFactory.create(message="m")
        assert messages(filter_logs(api, {"bogus": 1})) == ["m"]


class TestTextSearch:
    @pytest.fixture(autouse=True)
    def entries(self):
        LogFactory.create(name="prefect.flow_runs", message="Connection timeout after 30s")
        LogFactory.create(name="prefect.flow_runs", message="Database ERROR: disk full")
        LogFactory.create(name="prefect.task_runs", message="Task finished")
        LogFactory.create(name="app.db", message="query took 3s, connection reused")

    def search(self, api, query):
        return matching(api, {"text": {"query": query}})

    def test_a_term_matches_message_or_name_case_insensitively(self, api):
        assert self.search(api, "error") == {"Database ERROR: disk full"}
        assert self.search(api, "TASK_RUNS") == {"Task finished"}

    def test_bare_terms_are_alternatives(self, api):
        assert self.search(api, "timeout finished") == {
            "Connection timeout after 30s",
            "Task finished",
        }

    def test_minus_and_bang_exclude(self, api):
        assert self.search(api, "connection -timeout") == {"query took 3s, connection reused"}
        assert self.search(api, "connection !reused") == {"Connection timeout after 30s"}
        assert self.search(api, "-prefect") == {"query took 3s, connection reused"}

    def test_plus_requires(self, api):
        assert self.search(api, "+connection +db") == {"query took 3s, connection reused"}
        assert self.search(api, "timeout finished +task") == {"Task finished"}

    def test_quoted_phrases_stay_together(self, api):
        assert self.search(api, '"disk full"') == {"Database ERROR: disk full"}
        assert self.search(api, '"full disk"') == set()
        assert self.search(api, 'connection -"timeout after"') == {
            "query took 3s, connection reused"
        }

    def test_percent_and_underscore_are_literal(self, api):
        assert self.search(api, "task%runs") == set()
        assert self.search(api, "flow_runs") == {
            "Connection timeout after 30s",
            "Database ERROR: disk full",
        }

    def test_empty_query_matches_everything(self, api):
        assert len(self.search(api, "")) == 4

    def test_query_is_required_and_at_most_200_characters(self, api):
        missing = filter_logs(api, {"logs": {"text": {}}}).json()["exception_detail"][0]
        assert (missing["type"], missing["loc"]) == ("missing", ["body", "logs", "text", "query"])
        response = filter_logs(api, {"logs": {"text": {"query": "a" * 201}}})
        assert response.status_code == 422
        assert response.json()["exception_detail"][0]["type"] == "string_too_long"
        assert filter_logs(api, {"logs": {"text": {"query": "a" * 200}}}).status_code == 200


# --- sort, limit, offset ------------------------------------------------------------------------


class TestSort:
    def test_timestamp_asc_is_the_default_and_desc_reverses(self, api):
        for second in (1, 3, 0, 2):
            LogFactory.create(timestamp=at(second), message=f"t{second}")
        assert messages(filter_logs(api, {"sort": "TIMESTAMP_ASC"})) == ["t0", "t1", "t2", "t3"]
        assert messages(filter_logs(api, {"sort": "TIMESTAMP_DESC"})) == ["t3", "t2", "t1", "t0"]
        assert messages(filter_logs(api, {"sort": None})) == ["t0", "t1", "t2", "t3"]

    def test_equal_timestamps_are_ordered_by_id(self, api):
        logs = [LogFactory.create(timestamp=at(0), id=uuid.uuid4()) for _ in range(6)]
        by_id = [str(log.id) for log in sorted(logs, key=lambda log: log.id)]
        asc = [log["id"] for log in filter_logs(api).json()]
        desc = [log["id"] for log in filter_logs(api, {"sort": "TIMESTAMP_DESC"}).json()]
        assert asc == by_id
        assert desc == by_id[::-1]

    def test_unknown_sort_is_422_enum(self, api):
        response = filter_logs(api, {"sort": "LEVEL_ASC"})
        assert response.status_code == 422
        assert response.json()["exception_detail"] == [
            {
                "type": "enum",
                "loc": ["body", "sort"],
                "msg": "Input should be 'TIMESTAMP_ASC' or 'TIMESTAMP_DESC'",
                "input": "LEVEL_ASC",
                "ctx": {"expected": "'TIMESTAMP_ASC' or 'TIMESTAMP_DESC'"},
            }
        ]


def bulk_logs(count, **fields):
    """`count` logs one second apart, messages `m0000`..."""
    Log.objects.bulk_create(
        Log(
            id=uuid.uuid4(),
            name="n",
            level=20,
            message=f"m{i:04d}",
            timestamp=at(i),
            **fields,
        )
        for i in range(count)
    )


class TestLimitAndOffset:
    def test_limit_and_offset_page_through_the_results(self, api):
        bulk_logs(10)
        assert messages(filter_logs(api, {"limit": 3})) == ["m0000", "m0001", "m0002"]
        assert messages(filter_logs(api, {"limit": 3, "offset": 8})) == ["m0008", "m0009"]
        assert messages(filter_logs(api, {"offset": 10})) == []
        assert messages(filter_logs(api, {"limit": 0})) == []
        assert messages(filter_logs(api, {"limit": "2"})) == ["m0000", "m0001"]

    def test_null_limit_is_the_default_of_200(self, api):
        bulk_logs(205)
        assert len(messages(filter_logs(api, {"limit": None}))) == 200
        assert len(messages(filter_logs(api, {"limit": 200}))) == 200

    def test_limit_above_200_is_422_with_the_text_the_cli_looks_for(self, api):
        response = filter_logs(api, {"limit": 201})
        assert response.status_code == 422
        assert response.json() == {"detail": "Invalid limit: must be less than or equal to 200."}

    def test_negative_limit_is_422(self, api):
        response = filter_logs(api, {"limit": -1})
        assert response.status_code == 422
        assert response.json() == {"detail": "Invalid limit: must be greater than or equal to 0."}

    def test_negative_offset_is_a_validation_error(self, api):
        response = filter_logs(api, {"offset": -1})
        assert response.status_code == 422
        assert response.json()["exception_detail"] == [
            {
                "type": "greater_than_equal",
                "loc": ["body", "offset"],
                "msg": "Input should be greater than or equal to 0",
                "input": -1,
                "ctx": {"ge": 0},
            }
        ]

    def test_the_maximum_follows_the_setting(self, api, settings):
        settings.PREFECT_API_DEFAULT_LIMIT = 5
        bulk_logs(7)
        assert len(messages(filter_logs(api))) == 5
        assert filter_logs(api, {"limit": 6}).json() == {
            "detail": "Invalid limit: must be less than or equal to 5."
        }


def cli_body(run_id, limit=None, offset=0):
    """What `prefect flow-run logs ID` sends (client.md §7)."""
    return {
        "logs": {
            "operator": "and_",
            "level": None,
            "timestamp": None,
            "flow_run_id": {"any_": [str(run_id)]},
            "task_run_id": None,
            "text": None,
        },
        "limit": limit,
        "offset": offset,
        "sort": "TIMESTAMP_ASC",
    }


def test_the_cli_pages_through_a_runs_logs_by_offset(api):
    run_id = uuid.uuid4()
    bulk_logs(450, flow_run_id=run_id)
    LogFactory.create(flow_run_id=uuid.uuid4(), message="other run")
    seen: list[str] = []
    page = messages(filter_logs(api, cli_body(run_id)))
    while page:
        seen += page
        if len(page) < 200:
            break
        page = messages(filter_logs(api, cli_body(run_id, limit=200, offset=len(seen))))
    assert seen == [f"m{i:04d}" for i in range(450)]


def test_paging_by_offset_is_stable_when_every_timestamp_is_equal(api):
    run_id = uuid.uuid4()
    Log.objects.bulk_create(
        Log(
            id=uuid.uuid4(), name="n", level=20, message=str(i), timestamp=at(0), flow_run_id=run_id
        )
        for i in range(50)
    )
    pages = [
        messages(filter_logs(api, cli_body(run_id, limit=7, offset=offset)))
        for offset in range(0, 50, 7)
    ]
    seen = [message for page in pages for message in page]
    assert sorted(seen, key=int) == [str(i) for i in range(50)]
    assert len(seen) == 50


def test_cli_head_asks_for_a_small_limit(api):
    run_id = uuid.uuid4()
    bulk_logs(8, flow_run_id=run_id)
    assert messages(filter_logs(api, cli_body(run_id, limit=5))) == [f"m{i:04d}" for i in range(5)]
