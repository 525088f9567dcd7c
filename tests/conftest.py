"""Shared fixtures, and the PostgreSQL gate.

Tests marked `postgres` need real row locks and concurrent transactions. On SQLite they are
skipped with a visible reason, unless REQUIRE_POSTGRES=1 (CI), where running anywhere but on
PostgreSQL is an error rather than a silent skip.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_postgres():
        return
    for item in items:
        if item.get_closest_marker("postgres") is None:
            continue
        if REQUIRE_POSTGRES:
            item.add_marker(pytest.mark.usefixtures("_fail_without_postgres"))
        else:
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
            )


@pytest.fixture
def _fail_without_postgres() -> None:
    pytest.fail("REQUIRE_POSTGRES=1 but the test database is not PostgreSQL (set DATABASE_URL)")


def pytest_report_header(config: pytest.Config) -> str:
    settings = connection.settings_dict
    return f"database: {connection.vendor} ({settings.get('NAME')})"


@pytest.fixture
def api() -> APIClient:
    return APIClient()
