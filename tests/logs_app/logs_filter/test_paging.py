"""`POST /api/logs/filter` limit and offset, and paging the way the CLI does
(api.md §7.4, client.md §7)."""

from __future__ import annotations

import uuid

import pytest

from logs_app.models import Log
from tests.factories import LogFactory
from tests.logs_app.helpers import at

from .helpers import filter_logs, messages

pytestmark = pytest.mark.django_db


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
