"""The dashboard's stacked bar chart: runs per time bucket, one colour per state type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..display import NO_STATE_COLOUR, STATE_COLOURS
from .svg import element, rect, svg

# Bottom to top: the good news at the bottom, failures on top where they catch the eye.
STACK_ORDER = (
    "COMPLETED",
    "RUNNING",
    "PENDING",
    "SCHEDULED",
    "PAUSED",
    "CANCELLING",
    "CANCELLED",
    "CRASHED",
    "FAILED",
)
WIDTH, HEIGHT = 1000, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 10, 28


@dataclass
class BarBucket:
    start: datetime
    end: datetime
    counts: dict[str, int] = field(default_factory=dict)
    href: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def nice_max(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def _label(moment: datetime, *, with_day: bool) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%a %d %H:%M") if with_day else local.strftime("%H:%M")


def stacked_bars(buckets: Sequence[BarBucket], *, label: str) -> SafeString:
    """An SVG of one stacked bar per bucket (with a tooltip per segment and, when the bucket
    has an `href`, a link to its runs), a y axis of run counts and a few x labels."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_max(max((b.total for b in buckets), default=0))
    parts: list[str] = []
    for k in range(5):
        value = top * k // 4
        y = TOP + plot_h - plot_h * k / 4
        parts.append(
            element("line", x1=LEFT, x2=WIDTH - RIGHT, y1=f"{y:.1f}", y2=f"{y:.1f}", stroke="#ddd")
        )
        parts.append(
            element(
                "text",
                f"{value:,}",
                x=LEFT - 6,
                y=f"{y + 4:.1f}",
                text_anchor="end",
                font_size=11,
                fill="#666",
            )
        )
    n = max(len(buckets), 1)
    slot = plot_w / n
    gap = min(4.0, slot * 0.2)
    with_day = bool(buckets) and (buckets[-1].end - buckets[0].start).days >= 2
    every = max(1, -(-n // 8))
    for i, bucket in enumerate(buckets):
        x = LEFT + i * slot + gap / 2
        y = TOP + plot_h
        when = f"{_label(bucket.start, with_day=True)} to {_label(bucket.end, with_day=False)}"
        segments = []
        for state in sorted(bucket.counts, key=_stack_key):
            count = bucket.counts[state]
            h = plot_h * count / top
            y -= h
            segments.append(
                rect(
                    x,
                    y,
                    slot - gap,
                    h,
                    title=f"{when}: {count:,} {state.capitalize() if state else 'no state'}",
                    fill=STATE_COLOURS.get(state, NO_STATE_COLOUR),
                    class_=f"bar state-{(state or 'none').lower()}",
                )
            )
        if not segments:
            segments.append(
                rect(
                    x,
                    TOP + plot_h - 1,
                    slot - gap,
                    1,
                    title=f"{when}: no runs",
                    fill="#eee",
                    class_="bar empty",
                )
            )
        group = "".join(segments)
        if bucket.href:
            group = f'<a href="{escape(bucket.href)}">{group}</a>'
        parts.append(group)
        if i % every == 0:
            parts.append(
                element(
                    "text",
                    _label(bucket.start, with_day=with_day),
                    x=f"{x:.1f}",
                    y=HEIGHT - 8,
                    font_size=11,
                    fill="#666",
                )
            )
    return mark_safe(svg(WIDTH, HEIGHT, parts, label=label, class_="runs-chart"))


def _stack_key(state: str) -> int:
    return STACK_ORDER.index(state) if state in STACK_ORDER else len(STACK_ORDER)
