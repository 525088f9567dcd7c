"""Running a batched deletion from a command: a progress bar on a terminal, the summary line,
and what an interruption (Ctrl-C) reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from tqdm import tqdm

from flowruns.services.deletion import DeletionSummary


class _Unterminated:
    """A command's stdout as tqdm's file: its redraws (`\\r…`) are written as they are,
    without the newline `OutputWrapper.write` would add."""

    def __init__(self, out: OutputWrapper) -> None:
        self._out = out

    def write(self, text: str) -> None:
        self._out.write(text, ending="")

    def __getattr__(self, name: str) -> Any:  # flush, encoding, fileno, isatty
        return getattr(self._out, name)


def wants_progress(command: BaseCommand, options: dict[str, Any]) -> bool:
    """A bar only on a terminal, and not with `--no-progress` or `--verbosity 0`."""
    return (
        command.stdout.isatty() and not options["no_progress"] and options.get("verbosity", 1) > 0
    )


def delete_with_progress(
    command: BaseCommand,
    options: dict[str, Any],
    *,
    noun: str,
    unit: str,
    count: Callable[[], int],
    delete: Callable[..., DeletionSummary],
) -> DeletionSummary:
    """Run `delete(on_batch=…)`, showing a bar of `count()` rows when `wants_progress`.

    On Ctrl-C, report how many `noun` were deleted by the committed batches and exit with
    status 130; the batch in flight was rolled back by its transaction.
    """
    bar = None
    if wants_progress(command, options):
        # Redrawn after every batch (mininterval=0): a batch is a transaction, not a row, so
        # redraws are rare enough to be free.
        bar = tqdm(
            total=count(),
            desc="Deleting",
            unit=f" {unit}",
            mininterval=0,
            file=_Unterminated(command.stdout),
        )
    done = DeletionSummary()

    def on_batch(summary: DeletionSummary) -> None:
        nonlocal done
        done = summary
        if bar is not None:
            bar.update(summary.deleted - bar.n)

    try:
        return delete(on_batch=on_batch)
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
            bar = None
        command.stdout.write(
            f"Interrupted after deleting {done.deleted:,} {noun} in {done.batches} batches; "
            "the batch in flight was rolled back. Run the same command again to continue."
        )
        raise CommandError("interrupted", returncode=130) from None
    finally:
        if bar is not None:
            bar.close()


def summary_line(summary: DeletionSummary, noun: str) -> str:
    """`Deleted 1,000 flow runs in 1 batches (0.4s; longest batch transaction 380 ms)`."""
    return (
        f"Deleted {summary.deleted:,} {noun} in {summary.batches} batches "
        f"({summary.elapsed:.1f}s; longest batch transaction "
        f"{summary.longest_batch * 1000:.0f} ms)"
    )
