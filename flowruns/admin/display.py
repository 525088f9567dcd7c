"""Small HTML pieces the admin pages share: state badges, formatted JSON, durations."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

# Prefect UI's palette, roughly: one colour per state type.
STATE_COLOURS = {
    "SCHEDULED": "#e0a800",
    "PENDING": "#8c8c8c",
    "RUNNING": "#1a73e8",
    "COMPLETED": "#2e7d32",
    "FAILED": "#c62828",
    "CANCELLED": "#546e7a",
    "CRASHED": "#e65100",
    "PAUSED": "#5e35b1",
    "CANCELLING": "#78909c",
}
NO_STATE_COLOUR = "#bdbdbd"


def state_badge(state_type: str | None, state_name: str | None) -> SafeString:
    """A coloured pill with the state's name; its type is in the class and the title."""
    if not state_type:
        return format_html('<span class="state-badge state-none">{}</span>', "no state")
    return format_html(
        '<span class="state-badge state-{}" title="{}" style="background:{};color:#fff;'
        'padding:2px 8px;border-radius:10px;white-space:nowrap;font-weight:600">{}</span>',
        state_type.lower(),
        state_type,
        STATE_COLOURS.get(state_type, NO_STATE_COLOUR),
        state_name or state_type.capitalize(),
    )


def pretty_json(value: Any) -> SafeString:
    """Indented, key-sorted JSON in a <pre> block (escaped)."""
    text = json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    return format_html('<pre class="json" style="margin:0;white-space:pre-wrap">{}</pre>', text)


def format_duration(seconds: float | None) -> str:
    """`2h 03m 04s`, `3m 04s`, `4.2s`; an empty string for no time at all."""
    if not seconds:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s"


def tag_list(tags: list[str] | None) -> str:
    return ", ".join(tags or [])


def run_duration(state_type: str | None, start_time: Any, total_run_time: float) -> str:
    """A run's run time; a running run's counts up to now and says so."""
    if state_type == "RUNNING" and start_time is not None:
        elapsed = (timezone.now() - start_time).total_seconds()
        return f"{format_duration(total_run_time + elapsed)} (running)"
    return format_duration(total_run_time)
