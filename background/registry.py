"""Every background service, with its interval and switch.

A service module in `background.sweeps` exposes `sweep(now) -> SweepResult` and a settings
reader (`background.conf.settings_cache`); add one `Service(...)` here for it. The runner
(`run_services`) asks for the list when it starts, and `BackgroundConfig.ready()` builds it once
so a bad setting stops the server at start-up.
"""

from __future__ import annotations

from .sweep import Service


def services_all() -> list[Service]:
    return []
