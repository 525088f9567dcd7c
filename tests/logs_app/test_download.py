"""`GET /api/flow_runs/{id}/logs/download`: a streamed CSV (api.md §6.20)."""

from __future__ import annotations

import random
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logs_app import selectors
from logs_app.models import Log
from tests.factories import FlowRunFactory

from .helpers import at, log_body

pytestmark = pytest.mark.django_db

HEADER = b"timestamp,level,flow_run_id,task_run_id,message\r\n"


def download(api, run_id, **headers):
    return api.get(f"/api/flow_runs/{run_id}/logs/download", **headers)


def body_of(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def test_csv_matches_prefects_output_byte_for_byte(api):
    run = FlowRunFactory()
    task_id = "579b5ba6-5b40-4e4b-9d3c-6a2d1f4e8a10"
    logs = [
        # sent out of order: the CSV is ordered by timestamp
        log_body(
            level=20,
            message="msg 2",
            timestamp="2024-01-01T00:00:08Z",
            flow_run_id=str(run.id),
        ),
        log_body(
            level=40,
            message='multi\nline, with "quotes"',
            timestamp="2024-01-01T00:00:00.000005Z",
            flow_run_id=str(run.id),
            task_run_id=task_id,
        ),
    ]
    assert api.post("/api/logs/", logs, format="json").status_code == 201

    content = body_of(download(api, run.id))

    assert content == (
        HEADER
        + f"2024-01-01 00:00:00.000005+00:00,40,{run.id},{task_id},".encode()
        + b'"multi\nline, with ""quotes"""\r\n'
        + f"2024-01-01 00:00:08+00:00,20,{run.id},,msg 2\r\n".encode()
    )
    lines = content.split(b"\r\n")
    assert lines[0] == HEADER.rstrip()
    assert lines[1].startswith(b"2024-01-01 00:00:00.000005+00:00,40,")
    assert lines[1].endswith(b',"multi\nline, with ""quotes"""')
    assert lines[2].split(b",") == [
        b"2024-01-01 00:00:08+00:00",
        b"20",
        str(run.id).encode(),
        b"",
        b"msg 2",
    ]
    assert lines[3] == b""
    assert not content.startswith(b"\xef\xbb\xbf")  # no BOM


def test_headers_name_the_file_after_the_run(api):
    run = FlowRunFactory(name='my run, "quoted"/ü')
    response = download(api, run.id)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="flow-run-logs.csv"; '
        "filename*=UTF-8''my%20run%2C%20%22quoted%22%2F%C3%BC-logs.csv"
    )


def test_an_emoji_name_is_percent_encoded_as_utf8(api):
    run = FlowRunFactory(name="🚀-production-logs")
    response = download(api, run.id)
    assert response["Content-Disposition"].endswith(
        "filename*=UTF-8''%F0%9F%9A%80-production-logs-logs.csv"
    )


def test_unreserved_characters_are_kept(api):
    run = FlowRunFactory(name="a-b_c.d~e")
    response = download(api, run.id)
    assert response["Content-Disposition"].endswith("filename*=UTF-8''a-b_c.d~e-logs.csv")


def test_a_run_without_logs_gives_the_header_only(api):
    run = FlowRunFactory()
    Log.objects.create(name="n", level=20, message="elsewhere", timestamp=at(0))
    assert body_of(download(api, run.id)) == HEADER


def test_only_the_runs_own_logs_are_included(api):
    run, other = FlowRunFactory(), FlowRunFactory()
    for run_id, message in ((run.id, "mine"), (other.id, "theirs"), (None, "orphan")):
        Log.objects.create(name="n", level=20, message=message, timestamp=at(0), flow_run_id=run_id)
    rows = body_of(download(api, run.id)).split(b"\r\n")[1:-1]
    assert [row.rsplit(b",", 1)[1] for row in rows] == [b"mine"]


def test_non_ascii_messages_are_utf8(api):
    run = FlowRunFactory()
    Log.objects.create(name="n", level=20, message="naïve ✓", timestamp=at(0), flow_run_id=run.id)
    assert body_of(download(api, run.id)).endswith(",naïve ✓\r\n".encode())


def test_unknown_run_is_404(api):
    response = download(api, uuid.uuid4())
    assert response.status_code == 404
    assert response.json() == {"detail": "Flow run not found"}


def test_non_uuid_id_does_not_match_the_route(api):
    response = download(api, "not-a-uuid")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_id_without_dashes_is_accepted(api):
    run = FlowRunFactory()
    assert body_of(download(api, run.id.hex.upper())) == HEADER


def test_any_accept_header_gets_the_csv(api):
    run = FlowRunFactory()
    assert body_of(download(api, run.id, HTTP_ACCEPT="text/csv")) == HEADER


def test_post_is_405(api):
    response = api.post(f"/api/flow_runs/{FlowRunFactory().id}/logs/download")
    assert (response.status_code, response.json()) == (405, {"detail": "Method Not Allowed"})


# --- streaming ----------------------------------------------------------------------------------


class TestStreaming:
    COUNT = 5000
    PAGE = 100

    @pytest.fixture
    def run_with_logs(self):
        """5,000 logs, seven per timestamp (ties straddle every page boundary), inserted in
        random order; the expected CSV order is (timestamp, id), i.e. message `i` ascending."""
        run = FlowRunFactory()
        rows = [
            Log(
                id=uuid.UUID(int=i + 1),
                name="n",
                level=20,
                message=str(i),
                timestamp=at(i // 7),
                flow_run_id=run.id,
            )
            for i in range(self.COUNT)
        ]
        random.Random(7).shuffle(rows)
        Log.objects.bulk_create(rows, batch_size=1000)
        return run

    @pytest.fixture(autouse=True)
    def small_pages(self, monkeypatch):
        monkeypatch.setattr(selectors, "DOWNLOAD_PAGE_SIZE", self.PAGE)

    def test_every_row_once_in_timestamp_then_id_order(self, api, run_with_logs):
        content = body_of(download(api, run_with_logs.id))
        rows = content.split(b"\r\n")
        assert rows[0] + b"\r\n" == HEADER
        assert rows[-1] == b""
        data = rows[1:-1]
        assert [row.rsplit(b",", 1)[1] for row in data] == [
            str(i).encode() for i in range(self.COUNT)
        ]
        assert data[7].startswith(b"2024-01-01 00:00:01+00:00,20,")

    def test_the_body_is_streamed_one_page_per_chunk(self, api, run_with_logs):
        response = download(api, run_with_logs.id)
        assert response.streaming
        chunks = list(response.streaming_content)
        assert chunks[0] == HEADER
        pages = chunks[1:]
        assert len(pages) == self.COUNT // self.PAGE
        assert all(page.count(b"\r\n") == self.PAGE for page in pages)
        # each chunk holds one page: its size does not grow with the run's log count
        assert max(len(chunk) for chunk in chunks) < self.PAGE * 120

    def test_one_keyset_query_per_page_and_no_offset(self, api, run_with_logs):
        with CaptureQueriesContext(connection) as queries:
            content = body_of(download(api, run_with_logs.id))
        assert content.count(b"\r\n") == self.COUNT + 1
        log_queries = [q["sql"] for q in queries.captured_queries if '"log"' in q["sql"]]
        # 50 full pages, then one query that finds the end
        assert len(log_queries) == self.COUNT // self.PAGE + 1
        assert len(queries.captured_queries) == len(log_queries) + 1  # + the run's name
        assert all("OFFSET" not in sql.upper() for sql in log_queries)
        assert all(f"LIMIT {self.PAGE}" in sql.upper() for sql in log_queries)

    def test_nothing_is_read_before_the_body_is_consumed(self, api, run_with_logs):
        with CaptureQueriesContext(connection) as queries:
            response = download(api, run_with_logs.id)
        assert len(queries.captured_queries) == 1  # only the run lookup
        with CaptureQueriesContext(connection) as queries:
            iterator = iter(response.streaming_content)
            next(iterator)  # header
            next(iterator)  # first page
        assert len(queries.captured_queries) == 1


def test_a_partial_last_page_needs_no_extra_query(api, monkeypatch):
    monkeypatch.setattr(selectors, "DOWNLOAD_PAGE_SIZE", 4)
    run = FlowRunFactory()
    Log.objects.bulk_create(
        Log(name="n", level=20, message=str(i), timestamp=at(i), flow_run_id=run.id)
        for i in range(10)
    )
    with CaptureQueriesContext(connection) as queries:
        content = body_of(download(api, run.id))
    assert content.count(b"\r\n") == 11
    assert len(queries.captured_queries) == 1 + 3
