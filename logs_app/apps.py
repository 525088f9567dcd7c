from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs_app"
    verbose_name = "Logs"
    default_auto_field = "django.db.models.BigAutoField"
