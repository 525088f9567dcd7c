"""LogFilter `text`: Prefect's search syntax over message and logger name (api.md §7.4)."""

from __future__ import annotations

import pytest

from tests.factories import LogFactory

from .helpers import filter_logs, matching

pytestmark = pytest.mark.django_db


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
