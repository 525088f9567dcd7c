"""The `limit` rule of `/filter`, `/paginate` and `/logs/filter` (spec/api.md §6.10)."""

from __future__ import annotations

from django.conf import settings

from flowruns.errors import DetailError


def check_limit(limit: int | None) -> int:
    """null → the default; outside `0..max` → 422 `{"detail": ...}`. The default is also the
    maximum, as in Prefect (`PREFECT_API_DEFAULT_LIMIT`, 200)."""
    maximum: int = settings.PREFECT_API_DEFAULT_LIMIT
    if limit is None:
        return maximum
    if limit < 0:
        raise DetailError(422, "Invalid limit: must be greater than or equal to 0.")
    if limit > maximum:
        raise DetailError(422, f"Invalid limit: must be less than or equal to {maximum}.")
    return limit
