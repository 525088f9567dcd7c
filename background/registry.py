"""Every background service, with its interval and switch.

A service module in `background.sweeps` exposes `sweep(now) -> SweepResult` and a settings
reader (`background.conf.settings_cache`); add one `Service(...)` here for it. The runner
(`run_services`) asks for the list when it starts, and `BackgroundConfig.ready()` builds it once
so a bad setting stops the server at start-up.
"""

from __future__ import annotations

from .sweep import Service
from .sweeps import lease_reaper


def services_all() -> list[Service]:
    reaper = lease_reaper.reaper_settings()
    return [
        Service(
            name=lease_reaper.SERVICE,
            interval=reaper.loop,
            enabled=reaper.enabled,
            run=lease_reaper.leases_reap,
        ),
    ]
