"""A task run's logs on its admin page.

Logs live in `logs_app`, which depends on this app (not the reverse): its admin module plugs
a renderer in here when the admin is loaded, as its services plug deleters into
`services.deletion`. Without one (no `logs_app`), the page shows no logs.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.utils.safestring import SafeString

# (task run id, at most how many lines) -> HTML
LogsRenderer = Callable[[UUID, int], SafeString]
LINES_SHOWN = 50

_renderers: list[LogsRenderer] = []


def register_task_run_logs(renderer: LogsRenderer) -> None:
    if renderer not in _renderers:
        _renderers.append(renderer)


def task_run_logs(task_run_id: UUID) -> SafeString:
    """The task run's first `LINES_SHOWN` log lines, as the registered renderer draws them."""
    return SafeString("".join(renderer(task_run_id, LINES_SHOWN) for renderer in _renderers))
