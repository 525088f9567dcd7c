from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "background"
    label = "background"
    verbose_name = "Background services"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from .conf import reset

        setting_changed.connect(reset, dispatch_uid="background.conf.reset")
        # Parse every service's settings now: a bad value stops the server at start-up.
        from .registry import services_all

        services_all()
