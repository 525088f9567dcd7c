from __future__ import annotations

from django.apps import AppConfig


class VariablesConfig(AppConfig):
    name = "variables"
    verbose_name = "Variables"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Resume input's `workspace_variable` placeholders read this app's table; `flowruns`
        # holds the hook so that it never imports this app.
        from flowruns.services.run_input.hydration import register_variable_lookup

        from .selectors import variable_value

        register_variable_lookup(variable_value)
