from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "background"
    label = "background"
    verbose_name = "Background services"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from .conf import reset, service_settings

        setting_changed.connect(reset, dispatch_uid="background.conf.reset")
        # Parse the PREFECT_SERVER_SERVICES_* settings now: a bad value stops the server.
        service_settings()
