from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    label = "events"
    verbose_name = "Events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed
        from django.db.backends.signals import connection_created

        from .conf import event_settings, reset
        from .sql.expressions import register_sqlite_functions

        setting_changed.connect(reset, dispatch_uid="events.conf.reset")
        connection_created.connect(register_sqlite_functions, dispatch_uid="events.sqlite")
        # Parse the PREFECT_* settings now: a bad value stops the server from starting.
        event_settings()
        _listen_to_flowruns()


def _listen_to_flowruns() -> None:
    """This app imports flowruns, never the reverse: flowruns' services call these back
    (see `flowruns.services.listeners`), in the writing transaction."""
    from flowruns.services import listeners

    from .recorder.pending import pending_replay_for_flow_run
    from .server_events.flow_runs import flow_run_state_event_emit
    from .server_events.flows import flow_created_emit

    listeners.listen_flow_run_state_written(flow_run_state_event_emit)
    listeners.listen_flow_created(flow_created_emit)
    listeners.listen_flow_run_created(pending_replay_for_flow_run)
