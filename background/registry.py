"""Every background service, with its interval and switch.

A service module in `background.sweeps` exposes `sweep(now) -> SweepResult` and a settings
reader (`background.conf.settings_cache`); add one `Service(...)` here for it. The runner
(`run_services`) asks for the list when it starts, and `BackgroundConfig.ready()` builds it once
so a bad setting stops the server at start-up.
"""

from __future__ import annotations

from .sweep import Service
from .sweeps import event_vacuum, flow_run_vacuum, lease_reaper, log_vacuum
from .sweeps.vacuum_settings import vacuum_settings


def services_all() -> list[Service]:
    reaper = lease_reaper.reaper_settings()
    vacuum = vacuum_settings()
    return [
        Service(
            name=lease_reaper.SERVICE,
            interval=reaper.loop,
            enabled=reaper.enabled,
            run=lease_reaper.leases_reap,
        ),
        Service(
            name=event_vacuum.SERVICE,
            interval=vacuum.loop,
            enabled="events" in vacuum.kinds and vacuum.event_persister,
            run=event_vacuum.events_vacuum,
        ),
        Service(
            name=flow_run_vacuum.SERVICE,
            interval=vacuum.loop,
            enabled="flow_runs" in vacuum.kinds,
            run=flow_run_vacuum.flow_runs_vacuum,
        ),
        Service(
            name=log_vacuum.SERVICE,
            interval=vacuum.loop,
            enabled=vacuum.log_retention is not None,
            run=log_vacuum.logs_vacuum,
        ),
    ]
