"""The three levels of API access and the Django permissions that grant them.

Each level includes the ones below it: a user with `access.api_write` may also read, one with
`access.api_bulk` may do everything. Superusers hold every level. Permissions can be given to
users or to groups, in the admin or with `manage.py api_key create --grant LEVEL`.
"""

from __future__ import annotations

from enum import IntEnum


class Level(IntEnum):
    NONE = 0
    READ = 1  # GET, and the POST routes that only read (filter, count, paginate, ...)
    WRITE = 2  # everything a flow needs: create runs, set states, logs, events, inputs
    BULK = 3  # destructive: DELETE of flows, flow runs, task runs; bulk_delete, bulk_set_state

    @property
    def label(self) -> str:
        return self.name.lower()


# Codenames of the permissions (declared on `access.APIKey`), lowest level first.
PERMISSIONS: dict[Level, str] = {
    Level.READ: "api_read",
    Level.WRITE: "api_write",
    Level.BULK: "api_bulk",
}
APP_LABEL = "access"


def level_of(permissions: set[str], *, superuser: bool) -> Level:
    """The highest level `permissions` (as `user.get_all_permissions()` names them) grant."""
    if superuser:
        return Level.BULK
    held = [level for level, code in PERMISSIONS.items() if f"{APP_LABEL}.{code}" in permissions]
    return max(held, default=Level.NONE)
