"""Shared by the scenario scripts: how a script hands its findings to the pytest side."""

from __future__ import annotations

import json
from typing import Any

MARKER = "COMPAT-RESULT "


def emit(result: Any) -> None:
    """One line the pytest side finds among whatever the client itself prints."""
    print(MARKER + json.dumps(result, default=str), flush=True)


def describe(exc: BaseException) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "status": getattr(response, "status_code", None),
    }
