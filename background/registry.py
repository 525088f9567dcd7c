"""Every background service, with its interval and switch from `background.conf`.

A service module in `background.sweeps` exposes a `sweep(now) -> SweepResult`; add one line
here for it. The runner (`run_services`) asks for the list each time it starts.
"""

from __future__ import annotations

from .sweep import Service


def services_all() -> list[Service]:
    return []
