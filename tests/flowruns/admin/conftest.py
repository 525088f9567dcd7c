"""Fixtures for the admin tests: runs in real states (with their state rows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from flowruns.models import FlowRun, StateType
from tests.factories import FlowFactory, FlowRunFactory


@pytest.fixture
def make_run() -> Callable[..., FlowRun]:
    """A run in `state_type` with its state row written, expected to start `age` ago."""

    def make(state_type: StateType | None = StateType.COMPLETED, **fields: Any) -> FlowRun:
        age = fields.pop("age", timedelta(hours=1))
        fields.setdefault("expected_start_time", timezone.now() - age)
        if state_type is not None:
            fields.setdefault("with_state", True)
        return FlowRunFactory.create(state_type=state_type, **fields)

    return make


@pytest.fixture
def flow() -> Any:
    return FlowFactory.create(name="etl")


CHANGELIST = "/admin/flowruns/flowrun/"


def change_url(run: FlowRun) -> str:
    return f"/admin/flowruns/flowrun/{run.pk}/change/"


def listed_names(response: Any) -> list[str]:
    """Run names in the order the changelist shows them."""
    return [obj.name for obj in response.context["cl"].result_list]
