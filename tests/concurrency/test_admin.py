"""The admin of concurrency limits: lists their counts, edits limit and active (which moves
the decay clock), and lists leases read-only with their expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from concurrency.models import ConcurrencyLimitV2

from .helpers import acquire

pytestmark = pytest.mark.django_db

LIMITS = "/admin/concurrency/concurrencylimitv2/"
LEASES = "/admin/concurrency/concurrencylease/"


def test_the_limit_list_shows_slots_in_use_out_of_the_limit(admin_client, api):
    ConcurrencyLimitV2.objects.create(name="db", limit=4)
    acquire(api, ["db"], slots=3)

    page = admin_client.get(LIMITS).content.decode()

    assert "db" in page
    assert '<td class="field-slots_now">3</td>' in page
    assert '<td class="field-limit">4</td>' in page


def test_editing_a_limit_writes_limit_and_active_and_bumps_updated(admin_client):
    before = timezone.now() - timedelta(hours=1)
    limit = ConcurrencyLimitV2.objects.create(name="db", limit=1, active_slots=1, updated=before)

    response = admin_client.post(f"{LIMITS}{limit.pk}/change/", {"limit": 5, "active": ""})

    assert response.status_code == 302, response.content.decode()[:2000]
    limit.refresh_from_db()
    assert (limit.limit, limit.active, limit.active_slots) == (5, False, 1)
    assert limit.updated > before


def test_leases_are_listed_read_only_with_their_expiry(admin_client, api):
    ConcurrencyLimitV2.objects.create(name="db", limit=2)
    lease_id = acquire(api, ["db"]).json()["lease_id"]

    page = admin_client.get(LEASES).content.decode()
    change = admin_client.get(f"{LEASES}{lease_id}/change/").content.decode()

    assert lease_id in page
    assert "db" in page
    assert "Expires at" in page
    assert 'name="slots"' not in change  # read-only: no form field
