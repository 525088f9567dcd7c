"""Facts the API reads from request headers before it calls a service."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from uuid import UUID


def created_by_from_headers(headers: Any) -> dict[str, Any] | None:
    """Automations mark the runs they create with their id and base64-encoded name; the run's
    `created_by` is then `{"id", "type": "AUTOMATION", "display_value"}`."""
    automation_id = headers.get("Prefect-Automation-ID")
    encoded_name = headers.get("Prefect-Automation-Name")
    if not automation_id or not encoded_name:
        return None
    try:
        automation_uuid = UUID(automation_id)
        name = base64.b64decode(encoded_name, validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return {"id": str(automation_uuid), "type": "AUTOMATION", "display_value": name}
