"""Every background service, with its interval and switch.

A service module in `background.sweeps` exposes `sweep(now) -> SweepResult` and a settings
reader (`background.conf.settings_cache`); add one `Service(...)` here for it. The runner
(`run_services`) asks for the list when it starts, and `BackgroundConfig.ready()` builds it once
so a bad setting stops the server at start-up.
"""

from __future__ import annotations

from .sweep import Service
from .sweeps import cancellation_cleanup, late_runs, pause_expirations, zombie_flow_runs


def services_all() -> list[Service]:
    late = late_runs.late_runs_settings()
    pauses = pause_expirations.pause_expirations_settings()
    cancellations = cancellation_cleanup.cancellation_cleanup_settings()
    zombies = zombie_flow_runs.zombie_flow_runs_settings()
    return [
        Service(
            name=late_runs.NAME, interval=late.interval, enabled=late.enabled, run=late_runs.sweep
        ),
        Service(
            name=pause_expirations.NAME,
            interval=pauses.interval,
            enabled=pauses.enabled,
            run=pause_expirations.sweep,
        ),
        Service(
            name=cancellation_cleanup.NAME,
            interval=cancellations.interval,
            enabled=cancellations.enabled,
            run=cancellation_cleanup.sweep,
        ),
        Service(
            name=zombie_flow_runs.NAME,
            interval=zombies.interval,
            enabled=zombies.enabled,
            run=zombie_flow_runs.sweep,
        ),
    ]
