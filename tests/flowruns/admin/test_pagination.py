"""CheapCountPaginator: exact when small, capped when filtered and large, PostgreSQL's
estimate when unfiltered and large; page links never go past `max_rows`."""

from __future__ import annotations

import pytest
from django.db import connection

from flowruns.admin.pagination import AT_LEAST, ESTIMATE, EXACT, CheapCountPaginator
from logs_app.models import Log
from tests.factories import LogFactory

pytestmark = pytest.mark.django_db


class Small(CheapCountPaginator):
    max_rows = 5


def test_small_lists_are_counted_exactly():
    LogFactory.create_batch(3, level=20)
    paginator = Small(Log.objects.filter(level=20).order_by("id"), 2)
    assert (paginator.count, paginator.count_kind, paginator.count_label) == (3, EXACT, "3")
    assert paginator.num_pages == 2


def test_large_filtered_lists_are_counted_up_to_the_cap():
    LogFactory.create_batch(8, level=20)
    paginator = Small(Log.objects.filter(level=20).order_by("id"), 2)
    assert paginator.count_kind == AT_LEAST
    assert paginator.count_label == "more than 5"
    assert paginator.num_pages == 3  # five rows reachable, two per page
    assert not paginator.page(3).has_next()


@pytest.mark.postgres
def test_unfiltered_lists_use_the_planner_estimate_on_postgresql():
    LogFactory.create_batch(8)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE log")
    paginator = Small(Log.objects.order_by("id"), 2)
    assert paginator.count_kind == ESTIMATE
    assert paginator.count == 8
    assert paginator.count_label == "about 8"
    assert paginator.num_pages == 3
