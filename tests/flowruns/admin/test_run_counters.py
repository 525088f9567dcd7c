"""The run counters' admin pages: read-only lists of what the triggers keep."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import FlowRunFactory

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return [str(obj) for obj in response.context["cl"].result_list]


def test_counter_pages_list_the_counts_and_offer_no_changes(admin_client):
    run = FlowRunFactory.create(
        state_type="FAILED", tags=["nightly"], expected_start_time=datetime(2026, 1, 1, tzinfo=UTC)
    )

    counts = admin_client.get("/admin/flowruns/flowruncount/")
    tags = admin_client.get("/admin/flowruns/flowruntagcount/", {"q": "night"})
    slots = admin_client.get("/admin/flowruns/flowrunhistoryslot/")

    assert listed(counts) == [f"FAILED/Failed of {run.flow_id}: 1"]
    assert listed(tags) == ["nightly FAILED/Failed: 1"]
    assert [str(s).split(": ")[1] for s in slots.context["cl"].result_list] == ["1"]
    assert 'href="/admin/flowruns/flowruncount/add/"' not in counts.content.decode()
    assert admin_client.get("/admin/flowruns/flowruncount/add/").status_code == 403
