from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"


class OperatorAdminConfig(AdminConfig):
    """`django.contrib.admin` with the dashboard site as `admin.site` (Django's documented way
    to replace the default site): every `@admin.register` lands on it unchanged."""

    default_site = "dashboard.site.OperatorAdminSite"
