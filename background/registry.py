"""Every background service, with its interval and switch.

A service module in `background.sweeps` exposes `sweep(now) -> SweepResult` and a settings
reader (`background.conf.settings_cache`); add one `Service(...)` here for it. The runner
(`run_services`) asks for the list when it starts, and `BackgroundConfig.ready()` builds it once
so a bad setting stops the server at start-up.
"""

from __future__ import annotations

from deployments import scheduler
from deployments.services.scheduling import scheduler_settings
from work_pools import foreman

from .sweep import Service
from .sweeps import (
    cancellation_cleanup,
    event_vacuum,
    flow_run_vacuum,
    late_runs,
    lease_reaper,
    log_vacuum,
    pause_expirations,
    zombie_flow_runs,
)
from .sweeps.vacuum_settings import vacuum_settings


def _run_state_services() -> list[Service]:
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


def _slot_and_retention_services() -> list[Service]:
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


def _work_pool_services() -> list[Service]:
    health = foreman.foreman_settings()
    return [
        Service(
            name=foreman.NAME, interval=health.interval, enabled=health.enabled, run=foreman.sweep
        )
    ]


def _scheduler_services() -> list[Service]:
    """The scheduler's two loops (spec/deployments.md §12.4), one switch for both."""
    settings = scheduler_settings()
    return [
        Service(
            name=scheduler.NAME,
            interval=settings.loop,
            enabled=settings.enabled,
            run=scheduler.sweep,
        ),
        Service(
            name=scheduler.RECENT_NAME,
            interval=settings.recent_loop,
            enabled=settings.enabled,
            run=scheduler.sweep_recent,
        ),
    ]


def services_all() -> list[Service]:
    return [
        *_run_state_services(),
        *_slot_and_retention_services(),
        *_scheduler_services(),
        *_work_pool_services(),
    ]
