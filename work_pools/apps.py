from __future__ import annotations

from django.apps import AppConfig


class WorkPoolsConfig(AppConfig):
    name = "work_pools"
    verbose_name = "Work pools"
    default_auto_field = "django.db.models.BigAutoField"
