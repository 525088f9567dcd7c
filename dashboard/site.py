"""The admin site whose index leads with the dashboard (`OperatorAdminConfig` makes it
`admin.site`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from .selectors import (
    BUSIEST_SAMPLE,
    RANGES,
    STUCK_CANCELLING_AFTER,
    STUCK_RUNNING_AFTER,
    Dashboard,
    dashboard_read,
)


def _chart(dashboard: Dashboard) -> Any:
    # Imported here: importing `flowruns.admin` registers its model admins on `admin.site`,
    # which is this module's site, still being imported when the admin sets it up.
    from flowruns.admin.charts.bars import BarBucket, stacked_bars

    runs = reverse("admin:flowruns_flowrun_changelist")
    buckets = [
        BarBucket(
            start=b.start,
            end=b.end,
            counts=b.counts,
            href=runs
            + "?"
            + urlencode(
                {
                    "expected_start_time__gte": b.start.isoformat(),
                    "expected_start_time__lt": b.end.isoformat(),
                }
            ),
        )
        for b in dashboard.history
    ]
    return stacked_bars(buckets, label=f"Flow runs by state, {dashboard.range_label}")


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    return f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes} minutes"


class OperatorAdminSite(admin.AdminSite):
    site_header = "Flow-run orchestration"
    site_title = "Orchestration admin"
    index_title = "Dashboard"
    index_template = "admin/dashboard/index.html"
    # The collapsible app sidebar takes 250 px the run list needs on a 1400 px screen; the
    # dashboard (Home) lists the apps.
    enable_nav_sidebar = False

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        context = dict(extra_context or {})
        if request.user.has_perm("flowruns.view_flowrun"):
            dashboard = dashboard_read(range_key=request.GET.get("range", ""))
            context["dashboard"] = dashboard
            context["dashboard_chart"] = _chart(dashboard)
            context["dashboard_ranges"] = [(key, label) for key, (label, _, _) in RANGES.items()]
            context["busiest_sample"] = f"{BUSIEST_SAMPLE:,}"
            context["stuck_running_after"] = _span(STUCK_RUNNING_AFTER)
            context["stuck_cancelling_after"] = _span(STUCK_CANCELLING_AFTER)
        response: TemplateResponse = super().index(request, context)
        return response
