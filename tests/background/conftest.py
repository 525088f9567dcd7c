"""Fixtures: fake services registered in place of the real ones."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from background import registry
from background.sweep import Service


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """`register(service, ...)`: what `run_services` will find in the registry."""

    def install(*services: Service) -> None:
        monkeypatch.setattr(registry, "services_all", lambda: list(services))

    return install
