"""The level each API route needs (see `levels`), from its method and path alone, so it is
decided before routing, as authentication is (auth.md §2: unknown paths are refused too).

* read: every GET; POST `.../filter`, `.../count`, `flow_runs/paginate`, `lateness`,
  `history`, `events/count-by/...`, `flow_runs/{id}/input/filter`; the websockets
  `events/out` and `logs/out`.
* bulk: DELETE `flows/{id}`, `flow_runs/{id}`, `task_runs/{id}`; POST
  `flow_runs/bulk_delete` and `flow_runs/bulk_set_state`.
* write: everything else: creating flows and runs, `set_state`, `resume`, PATCH, inputs,
  logs, events (`POST events`, the websocket `events/in`), concurrency leases.
"""

from __future__ import annotations

import re

from .levels import Level

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_POSTS = re.compile(
    r"(?:[a-z_]+/(?:filter|count)"
    r"|flow_runs/(?:paginate|lateness|history)"
    r"|flow_runs/[^/]+/input/filter"
    r"|events/count-by/[^/]+)"
)
_BULK_DELETES = re.compile(r"(?:flows|flow_runs|task_runs)/[^/]+/?")
_BULK_POSTS = re.compile(r"flow_runs/(?:bulk_delete|bulk_set_state)")
_SOCKETS = {"events/in": Level.WRITE, "events/out": Level.READ, "logs/out": Level.READ}


def required_level(method: str, path: str) -> Level:
    """The level an HTTP request needs; `path` is relative to `/api/` (`flow_runs/filter`)."""
    if method in READ_METHODS:
        return Level.READ
    if method == "POST":
        if _READ_POSTS.fullmatch(path):
            return Level.READ
        if _BULK_POSTS.fullmatch(path):
            return Level.BULK
    if method == "DELETE" and _BULK_DELETES.fullmatch(path):
        return Level.BULK
    return Level.WRITE


def socket_level(path: str) -> Level:
    """The level a websocket route needs; `path` is relative to `/api/`."""
    return _SOCKETS.get(path, Level.WRITE)
