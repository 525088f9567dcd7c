from django.apps import AppConfig
from django.core.signals import setting_changed

from flowruns.services.lease_expiry import lease_duration_initial
from flowruns.services.policies import policies_load, policies_reload_on_setting_changed


class FlowRunsConfig(AppConfig):
    name = "flowruns"
    verbose_name = "Flow runs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A bad policy path stops start-up (and `manage.py check`) here, not a request later.
        policies_load()
        lease_duration_initial()
        setting_changed.connect(
            policies_reload_on_setting_changed, dispatch_uid="flowruns.policies_reload"
        )
