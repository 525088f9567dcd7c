"""Shared fixtures, and the PostgreSQL gate.

Tests marked `postgres` need real row locks and concurrent transactions. On SQLite they are
skipped with a visible reason, unless REQUIRE_POSTGRES=1 (CI), where running anywhere but on
PostgreSQL is an error rather than a silent skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connection
from rest_framework.test import APIClient

from events.storage.inserts import known_partitions_forget

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if on_postgres():
        return
    needs_postgres = [item for item in items if item.get_closest_marker("postgres") is not None]
    if needs_postgres and REQUIRE_POSTGRES:
        # A marker added here cannot pull in a fixture any more (fixtures are resolved at
        # collection), so the run itself is refused: nothing PostgreSQL-only may pass unseen.
        raise pytest.UsageError(
            f"REQUIRE_POSTGRES=1 but the test database is {connection.vendor}; "
            f"{len(needs_postgres)} selected tests need PostgreSQL (set DATABASE_URL)"
        )
    for item in needs_postgres:
        item.add_marker(
            pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
        )


def pytest_report_header(config: pytest.Config) -> str:
    settings = connection.settings_dict
    return f"database: {connection.vendor} ({settings.get('NAME')})"


@pytest.fixture(autouse=True)
def _forget_event_partitions() -> Iterator[None]:
    """Tests roll back the partitions that on-commit callbacks they ran took as committed."""
    yield
    known_partitions_forget()


@pytest.fixture
def api() -> APIClient:
    return APIClient()
