"""The API-key level each variable route needs (README, Variables)."""

from __future__ import annotations

import pytest

from access.levels import Level
from access.routes import required_level


@pytest.mark.parametrize(
    ("method", "path", "level"),
    [
        ("GET", "variables/name/x", Level.READ),
        ("GET", "variables/0190b4e2-0000-7000-8000-000000000000", Level.READ),
        ("POST", "variables/filter", Level.READ),
        ("POST", "variables/count", Level.READ),
        ("POST", "variables/", Level.WRITE),
        ("PATCH", "variables/name/x", Level.WRITE),
        ("DELETE", "variables/name/x", Level.WRITE),
    ],
)
def test_reads_need_read_and_writes_need_write(method, path, level):
    assert required_level(method, path) is level
