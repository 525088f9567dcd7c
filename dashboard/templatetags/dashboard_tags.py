"""Small formatting filters for the dashboard's templates."""

from __future__ import annotations

from django import template

from dashboard.selectors import Dashboard
from flowruns.admin.charts.bars import STACK_ORDER
from flowruns.admin.display import NO_STATE_COLOUR, STATE_COLOURS

register = template.Library()


@register.filter
def intcomma_plain(value: int) -> str:
    return f"{value:,}"


@register.filter
def percent(value: float) -> str:
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


@register.filter
def percent_width(value: float) -> int:
    """The failure-rate bar's width in px (60 px = every run failed)."""
    return round(60 * value)


@register.filter
def legend(dashboard: Dashboard) -> list[tuple[str, str, int]]:
    """(state type, colour, runs in the chart) in the chart's stacking order, top first."""
    totals = dashboard.totals
    order = [s for s in reversed(STACK_ORDER) if s in totals]
    order += sorted(s for s in totals if s not in STACK_ORDER)
    return [(s or "none", STATE_COLOURS.get(s, NO_STATE_COLOUR), totals[s]) for s in order]
