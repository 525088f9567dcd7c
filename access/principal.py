"""Who a request or socket acts as: its actor (for the audit) and its level."""

from __future__ import annotations

from dataclasses import dataclass

from .levels import Level


@dataclass(frozen=True)
class Principal:
    actor: str
    level: Level
    key_prefix: str | None = None  # the API key's, for throttling
