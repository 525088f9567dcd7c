from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs_app"
    verbose_name = "Logs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from flowruns.services.deletion import (
            register_run_children_deleter,
            register_task_run_children_deleter,
        )

        from .services import logs_delete_for_runs, logs_delete_for_task_runs

        register_run_children_deleter(logs_delete_for_runs)
        register_task_run_children_deleter(logs_delete_for_task_runs)
