"""Live servers for the websocket tests (see live.py): one with auth off, one with auth on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import on_postgres

from .live import APP, Live

AUTH_STRING = "user:pass"


def serve(tmp_path_factory: pytest.TempPathFactory, app: str = APP, **env: str) -> Iterator[Live]:
    live = Live(tmp_path_factory.mktemp("live"), on_postgres=on_postgres(), extra_env=env, app=app)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from serve(tmp_path_factory)


@pytest.fixture(scope="session")
def live_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    yield from serve(tmp_path_factory, PREFECT_SERVER_API_AUTH_STRING=AUTH_STRING)
