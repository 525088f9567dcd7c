"""A flow run's logs as CSV, exactly as Prefect writes them (spec/api.md §6.20).

Python's default `csv` dialect: commas, quotes only where needed (doubled inside), CRLF line
ends. Timestamps are `str(datetime)` (`2024-01-01 00:00:08+00:00`, microseconds only when
non-zero) and a missing task run id is an empty field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from .selectors import LogRow

HEADER = ("timestamp", "level", "flow_run_id", "task_run_id", "message")


def content_disposition(flow_run_name: str) -> str:
    """An ASCII fallback name plus the run's own, percent-encoded (RFC 5987/3986: only
    unreserved characters are left as they are)."""
    encoded = quote(f"{flow_run_name}-logs.csv", safe="")
    return f"attachment; filename=\"flow-run-logs.csv\"; filename*=UTF-8''{encoded}"


def csv_chunks(pages: Iterable[list[LogRow]]) -> Iterator[bytes]:
    """The header, then one UTF-8 chunk per page: memory holds one page at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> bytes:
        chunk = buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate(0)
        return chunk

    writer.writerow(HEADER)
    yield flush()
    for page in pages:
        writer.writerows(
            (str(row.timestamp), row.level, row.flow_run_id, row.task_run_id, row.message)
            for row in page
        )
        yield flush()
