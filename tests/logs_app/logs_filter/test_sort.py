"""`POST /api/logs/filter` sort orders (api.md §7.4)."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import LogFactory
from tests.logs_app.helpers import at

from .helpers import filter_logs, messages

pytestmark = pytest.mark.django_db


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
