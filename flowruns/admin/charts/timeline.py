"""A run's timeline: its states as a band along the top and its task runs (and subflows) as
bars below, on one time axis with second-precision ticks. Built from the graph-v2 selector
(`flowruns.selectors.graphs.flow_run_graph`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from flowruns.selectors.graphs import FlowRunGraph

from ..display import NO_STATE_COLOUR, STATE_COLOURS, format_duration
from .svg import element, rect, svg, time_ticks

WIDTH = 1000
LABELS = 220  # the task-name column
ROW = 20
STATE_BAND = 26
AXIS = 22
MAX_ROWS = 60


def _clock(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S")


def _stamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def run_timeline(graph: FlowRunGraph, *, now: datetime) -> SafeString:
    """The SVG, or an empty string when the run has no state yet."""
    if not graph.states:
        return mark_safe("")
    nodes = graph.nodes[:MAX_ROWS]
    start = min([graph.states[0].timestamp, *(node.start_time for node in nodes)])
    ends = [graph.end_time or now, graph.states[-1].timestamp]
    ends += [node.end_time or now for node in nodes]
    end = max(ends)
    if end - start < timedelta(seconds=1):
        end = start + timedelta(seconds=1)
    span = (end - start).total_seconds()
    plot_w = WIDTH - LABELS - 10

    def x(moment: datetime) -> float:
        return LABELS + plot_w * (moment - start).total_seconds() / span

    height = AXIS + STATE_BAND + ROW * len(nodes) + (ROW if len(graph.nodes) > MAX_ROWS else 0) + 6
    parts: list[str] = []
    for tick in time_ticks(start, end):
        parts.append(
            element(
                "line",
                x1=f"{x(tick):.1f}",
                x2=f"{x(tick):.1f}",
                y1=AXIS - 4,
                y2=height,
                stroke="#e5e5e5",
            )
        )
        parts.append(
            element(
                "text",
                _clock(tick),
                x=f"{x(tick):.1f}",
                y=12,
                font_size=11,
                fill="#666",
                text_anchor="middle",
            )
        )
    # The states, each until the next one (the last until the run's end, or now).
    parts.append(
        element("text", "states", x=4, y=AXIS + 16, font_size=12, fill="#333", font_weight="bold")
    )
    for i, state in enumerate(graph.states):
        until = graph.states[i + 1].timestamp if i + 1 < len(graph.states) else end
        title = f"{state.name} ({state.type}) at {_stamp(state.timestamp)}"
        parts.append(
            rect(
                x(state.timestamp),
                AXIS + 4,
                x(until) - x(state.timestamp),
                18,
                title=title,
                fill=STATE_COLOURS.get(state.type, NO_STATE_COLOUR),
                class_=f"timeline-state state-{state.type.lower()}",
            )
        )
    for row, node in enumerate(nodes):
        y = AXIS + STATE_BAND + row * ROW
        parts.append(element("text", node.label[:34], x=4, y=y + 14, font_size=12, fill="#333"))
        until = node.end_time or now
        took = format_duration((until - node.start_time).total_seconds()) or "0s"
        title = (
            f"{node.label}: {node.state_type or 'no state'}, {_stamp(node.start_time)}"
            f" → {_stamp(node.end_time) if node.end_time else 'still going'} ({took})"
        )
        parts.append(
            rect(
                x(node.start_time),
                y + 3,
                x(until) - x(node.start_time),
                ROW - 6,
                title=title,
                rx=3,
                fill=STATE_COLOURS.get(node.state_type or "", NO_STATE_COLOUR),
                class_=f"timeline-{node.kind}",
            )
        )
    hidden = len(graph.nodes) - len(nodes)
    if hidden > 0:
        parts.append(
            element(
                "text",
                f"… and {hidden} more task runs",
                x=4,
                y=height - 8,
                font_size=12,
                fill="#666",
            )
        )
    return mark_safe(svg(WIDTH, height, parts, label="Run timeline", class_="run-timeline"))
