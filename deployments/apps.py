from __future__ import annotations

from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    """Deployments, their schedules and the scheduler (spec/deployments.md). The tables live
    in `flowruns` (runs point at deployments); this app holds the routes, services and the
    scheduler service."""

    name = "deployments"
    verbose_name = "Deployments"
    default_auto_field = "django.db.models.BigAutoField"
