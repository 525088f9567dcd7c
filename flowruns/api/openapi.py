"""drf-spectacular hooks."""

from __future__ import annotations

from typing import Any

# The collection routes also answer without their trailing slash (a client that drops it must
# never be redirected); the schema documents each route once, under Prefect's spelling.
SLASHLESS_ALIASES = {
    "/api/flows",
    "/api/flow_runs",
    "/api/flow_run_states",
    "/api/logs",
    "/api/task_runs",
    "/api/task_run_states",
}


def drop_slashless_aliases(endpoints: list[Any], **kwargs: Any) -> list[Any]:
    return [endpoint for endpoint in endpoints if endpoint[0] not in SLASHLESS_ALIASES]
