"""The few SVG pieces both charts share: escaped elements and time-axis ticks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils.html import escape

# Tick steps a time axis may use, smallest first (seconds).
TICK_STEPS = (
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
)


def attrs(**values: object) -> str:
    """`key="value"` pairs, escaped; `class_` and `font_size` style names become `class`,
    `font-size`."""
    return " ".join(
        f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for key, value in values.items()
        if value is not None
    )


def element(tag: str, text: str | None = None, **values: object) -> str:
    if text is None:
        return f"<{tag} {attrs(**values)}/>"
    return f"<{tag} {attrs(**values)}>{escape(text)}</{tag}>"


def rect(x: float, y: float, width: float, height: float, *, title: str, **values: object) -> str:
    shape = attrs(
        x=f"{x:.1f}", y=f"{y:.1f}", width=f"{max(width, 0.5):.1f}", height=f"{height:.1f}", **values
    )
    return f"<rect {shape}><title>{escape(title)}</title></rect>"


def svg(width: int, height: int, parts: Iterable[str], *, label: str, class_: str) -> str:
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" {attrs(aria_label=label, class_=class_)} '
        f'style="max-width:100%;height:auto;font-family:sans-serif">{body}</svg>'
    )


def time_ticks(start: datetime, end: datetime, *, most: int = 8) -> list[datetime]:
    """Round instants between `start` and `end`, at most `most` of them."""
    span = max((end - start).total_seconds(), 1.0)
    step = next((s for s in TICK_STEPS if span / s <= most), TICK_STEPS[-1])
    while span / step > most:
        step *= 2
    epoch = datetime(1970, 1, 1, tzinfo=start.tzinfo)
    first = -(-int((start - epoch).total_seconds()) // step) * step
    ticks = []
    tick = epoch + timedelta(seconds=first)
    while tick <= end:
        ticks.append(tick)
        tick += timedelta(seconds=step)
    return ticks
