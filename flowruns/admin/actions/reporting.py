"""Outcomes grouped into one message each ("3 now Cancelling: "a", "b", "c"") and written to
the admin history, one entry per run that changed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from flowruns.models import FlowRun

from .running import RunResult

NAMES_SHOWN = 10
# Groups are reported in this order: what happened first, then what did not.
LEVEL_ORDER = (messages.SUCCESS, messages.WARNING, messages.ERROR)


def outcome_phrase(result: RunResult) -> tuple[int, str]:
    """The message level and the phrase shared by every run with this outcome."""
    outcome = result.outcome
    if outcome is None:
        return messages.ERROR, f"failed ({result.error})"
    now = outcome.state.name if outcome.state is not None else "no state"
    reason = f" ({outcome.reason.rstrip('.')})" if outcome.reason else ""
    if outcome.status == "ACCEPT":
        return messages.SUCCESS, f"now {now}"
    if outcome.status == "REJECT" and outcome.written:
        return messages.SUCCESS, f"now {now}, written instead of the proposed state{reason}"
    if outcome.status == "WAIT":
        return messages.WARNING, f"asked to wait {outcome.delay_seconds}s, still {now}{reason}"
    return messages.WARNING, f"left alone, still {now}{reason}"


def _names(results: Sequence[RunResult]) -> str:
    shown = ", ".join(f'"{r.run.name}"' for r in results[:NAMES_SHOWN])
    rest = len(results) - NAMES_SHOWN
    return shown + (f" and {rest} more" if rest > 0 else "")


def report(request: HttpRequest, results: Sequence[RunResult], verb: str) -> None:
    """One message per outcome, e.g. `Cancel: 3 runs now Cancelling: "a", "b", "c".`"""
    groups: dict[tuple[int, str], list[RunResult]] = {}
    for result in results:
        groups.setdefault(outcome_phrase(result), []).append(result)
    ordered = sorted(groups.items(), key=lambda item: LEVEL_ORDER.index(item[0][0]))
    for (level, phrase), members in ordered:
        runs = "1 run" if len(members) == 1 else f"{len(members)} runs"
        messages.add_message(request, level, f"{verb}: {runs} {phrase}: {_names(members)}.")


def log_changes(
    modeladmin: Any, request: HttpRequest, results: Sequence[RunResult], verb: str
) -> None:
    """A `LogEntry` (CHANGE) for each run whose state changed: who, what, from and to."""
    for result in results:
        if not result.written or result.outcome is None or result.outcome.state is None:
            continue
        run = FlowRun(pk=result.run.id, name=result.run.name)
        message = f"{verb}: {result.run.state_label} → {result.outcome.state.name}"
        if result.outcome.status != "ACCEPT":
            message += " (a rule wrote it instead of the proposed state)"
        modeladmin.log_change(request, run, message)
