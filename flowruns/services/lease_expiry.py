"""How long a deployment-concurrency lease lives before its client must renew it.

A new lease lives `PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION` (Prefect's
name and default: 300 s, 30-3600), the time a worker has to provision the run before the
engine starts renewing. Prefect would take a deployment's
`concurrency_options.grace_period_seconds` first; deployments here have no such option.
The renew route extends a lease by the `lease_duration` its client sends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from config.prefect_settings import setting_read

INITIAL_LEASE_DURATION = "PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION"


def _seconds_30_to_3600(raw: str) -> timedelta:
    value = float(raw)
    if not 30 <= value <= 3600:
        raise ValueError("must be a number of seconds between 30 and 3600")
    return timedelta(seconds=value)


def lease_duration_initial() -> timedelta:
    """Read on every acquisition (a dict lookup), so tests and operators see changes at once."""
    return setting_read(INITIAL_LEASE_DURATION, timedelta(seconds=300), _seconds_30_to_3600)


def lease_expiry_initial(now: datetime) -> datetime:
    return now + lease_duration_initial()
