"""Logging filters named by `LOGGING` in the settings."""

from __future__ import annotations

import logging


class ClientErrorsAreDebug(logging.Filter):
    """Django logs every 4xx response as a WARNING (`Not Found: /api/...`). A refusal the
    client caused (the CSRF-token 422 every client run asks for, a 404 it expects) is no
    warning about the server: it is logged at DEBUG, i.e. not at all at the default level.
    5xx records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status >= 500 or record.levelno > logging.WARNING:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
