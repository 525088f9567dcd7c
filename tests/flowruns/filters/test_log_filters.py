"""LogFilter, including the text search query language (spec/api.md §7.4)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from flowruns.filters.compile import log_filter_q
from flowruns.filters.textsearch import SearchTerms, parse_search_query
from logs_app.models import Log
from tests.factories import LogFactory

from .helpers import at, ids, iso, logs

pytestmark = pytest.mark.django_db


def matching(log_filter: dict[str, Any]) -> set[Any]:
    return logs({"logs": log_filter})


def text(query: str) -> set[Any]:
    return matching({"text": {"query": query}})


class TestFields:
    def test_level(self) -> None:
        debug = LogFactory.create(level=10)
        info = LogFactory.create(level=20)
        error = LogFactory.create(level=40)
        assert matching({"level": {"ge_": 20}}) == ids(info, error)
        assert matching({"level": {"le_": 20}}) == ids(debug, info)
        assert matching({"level": {"ge_": 20, "le_": 30}}) == ids(info)

    def test_timestamp_is_inclusive(self) -> None:
        first = LogFactory.create(timestamp=at(0))
        second = LogFactory.create(timestamp=at(1))
        assert matching({"timestamp": {"before_": iso(0)}}) == ids(first)
        assert matching({"timestamp": {"after_": iso(0)}}) == ids(first, second)
        assert matching({"timestamp": {"after_": iso(0.5)}}) == ids(second)

    def test_flow_run_id(self) -> None:
        run_id = uuid4()
        mine = LogFactory.create(flow_run_id=run_id)
        LogFactory.create(flow_run_id=uuid4())
        LogFactory.create(flow_run_id=None)
        assert matching({"flow_run_id": {"any_": [str(run_id)]}}) == ids(mine)
        assert matching({"flow_run_id": {"any_": []}}) == set()

    def test_task_run_id(self) -> None:
        task_id = uuid4()
        task_log = LogFactory.create(task_run_id=task_id)
        other_task_log = LogFactory.create(task_run_id=uuid4())
        flow_log = LogFactory.create(task_run_id=None)
        assert matching({"task_run_id": {"any_": [str(task_id)]}}) == ids(task_log)
        assert matching({"task_run_id": {"is_null_": True}}) == ids(flow_log)
        assert matching({"task_run_id": {"is_null_": False}}) == ids(task_log, other_task_log)

    def test_operator(self) -> None:
        debug = LogFactory.create(level=10, task_run_id=None)
        error = LogFactory.create(level=40, task_run_id=uuid4())
        LogFactory.create(level=20, task_run_id=uuid4())
        body = {"operator": "or_", "level": {"ge_": 40}, "task_run_id": {"is_null_": True}}
        assert matching(body) == ids(debug, error)

    def test_no_filter_is_every_log(self) -> None:
        LogFactory.create_batch(2)
        assert Log.objects.filter(log_filter_q(None)).count() == 2
        assert len(logs({})) == 2


class TestTextSearch:
    @pytest.fixture
    def entries(self) -> dict[str, Log]:
        return {
            "timeout": LogFactory.create(
                name="prefect.flow_runs", message="Flow run failed with connection timeout"
            ),
            "network": LogFactory.create(
                name="prefect.task_runs", message="Task failed due to network ERROR"
            ),
            "debug": LogFactory.create(
                name="prefect.flow_runs", message="Debug: starting flow in test environment"
            ),
            "deployed": LogFactory.create(
                name="prefect.deployments", message="Successfully deployed to production"
            ),
            "percent": LogFactory.create(name="app", message="progress 100% done"),
        }

    def test_a_term_matches_message_or_logger_name_case_insensitively(
        self, entries: dict[str, Log]
    ) -> None:
        assert text("error") == ids(entries["network"])
        assert text("DEPLOYMENTS") == ids(entries["deployed"])

    def test_bare_terms_are_alternatives(self, entries: dict[str, Log]) -> None:
        assert text("error successfully") == ids(entries["network"], entries["deployed"])

    def test_minus_and_bang_exclude(self, entries: dict[str, Log]) -> None:
        assert text("flow -debug") == ids(entries["timeout"])
        assert text("flow !test") == ids(entries["timeout"])

    def test_plus_requires(self, entries: dict[str, Log]) -> None:
        assert text("+failed +network") == ids(entries["network"])
        assert text("deployed +flow_runs") == set()

    def test_quoted_phrases(self, entries: dict[str, Log]) -> None:
        assert text('"connection timeout"') == ids(entries["timeout"])
        assert text('"timeout connection"') == set()
        assert text('flow -"connection timeout"') == ids(entries["debug"])

    def test_terms_are_literal_substrings(self, entries: dict[str, Log]) -> None:
        assert text("100%") == ids(entries["percent"])
        assert text("%") == ids(entries["percent"])
        assert text("flow_runs") == ids(entries["timeout"], entries["debug"])
        assert text("flow_run_") == set()

    def test_only_exclusions(self, entries: dict[str, Log]) -> None:
        assert text("-failed -debug") == ids(entries["deployed"], entries["percent"])

    def test_an_empty_query_matches_everything(self, entries: dict[str, Log]) -> None:
        assert text("") == ids(*entries.values())
        assert text("   ") == ids(*entries.values())

    def test_text_combines_with_other_criteria(self, entries: dict[str, Log]) -> None:
        body = {"text": {"query": "flow"}, "level": {"ge_": 30}}
        assert matching(body) == set()


class TestParser:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("error", SearchTerms(include=["error"])),
            ("error  warning", SearchTerms(include=["error", "warning"])),
            ("-debug !trace +must", SearchTerms(exclude=["debug", "trace"], required=["must"])),
            (
                '"a b" -"c d" +"e f"',
                SearchTerms(include=["a b"], exclude=["c d"], required=["e f"]),
            ),
            ('say "hi there', SearchTerms(include=["say", "hi there"])),
            (r'"a \"quoted\" word"', SearchTerms(include=['a "quoted" word'])),
            (r'"back\\slash"', SearchTerms(include=["back\\slash"])),
            (r'"keep\n"', SearchTerms(include=["keep\\n"])),
            ("- + ! x", SearchTerms(include=["x"])),
            ("x-y", SearchTerms(include=["x-y"])),
            ('a"b c"', SearchTerms(include=["a", "b c"])),
            ('""', SearchTerms()),
            ("", SearchTerms()),
            ("--x", SearchTerms(exclude=["-x"])),
        ],
    )
    def test_parse(self, query: str, expected: SearchTerms) -> None:
        assert parse_search_query(query) == expected
