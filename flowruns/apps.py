from django.apps import AppConfig


class FlowRunsConfig(AppConfig):
    name = "flowruns"
    verbose_name = "Flow runs"
    default_auto_field = "django.db.models.BigAutoField"
