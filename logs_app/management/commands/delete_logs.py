"""`manage.py delete_logs`: log retention by age and level, in short batches.

Selects logs with the API's `LogFilter` and deletes them in keyset batches on
(timestamp, id), each batch its own transaction. See the README's "Retention" section.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils import timezone

from flowruns.filters.compile import log_filter_q
from flowruns.services.deletion import DeletionSummary
from flowruns.services.retention import (
    TerminalProgress,
    earliest,
    log_retention_filter,
    parse_age,
    parse_datetime,
    parse_level,
    rows_delete_matching,
)
from logs_app.models import Log


class Command(BaseCommand):
    help = "Delete logs by age and level, in batches (one transaction per batch)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than", metavar="AGE", help="logs timestamped at least AGE ago: 30d, 12h"
        )
        parser.add_argument(
            "--before", metavar="DATE", help="logs timestamped at or before DATE (ISO 8601)"
        )
        parser.add_argument(
            "--level-below",
            metavar="LEVEL",
            help="only logs whose level is below LEVEL (a number or DEBUG/INFO/WARNING/ERROR)",
        )
        parser.add_argument(
            "--max-level", metavar="LEVEL", help="only logs whose level is at most LEVEL"
        )
        parser.add_argument("--all", action="store_true", help="allow running without a selector")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be deleted, delete nothing"
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="logs per transaction (default 5000)"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on a terminal"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            age = parse_age(options["older_than"]) if options["older_than"] else None
            before = parse_datetime(options["before"]) if options["before"] else None
            below = parse_level(options["level_below"]) - 1 if options["level_below"] else None
            at_most = parse_level(options["max_level"]) if options["max_level"] else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        cutoff = earliest(timezone.now() - age if age else None, before)
        levels = [level for level in (below, at_most) if level is not None]
        max_level = min(levels) if levels else None
        if cutoff is None and max_level is None and not options["all"]:
            raise CommandError(
                "Refusing to delete without a selector: give --older-than, --before, "
                "--level-below or --max-level (or --all to delete every log)."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        where = log_filter_q(log_retention_filter(cutoff=cutoff, max_level=max_level))
        if options["dry_run"]:
            self._dry_run(where)
        else:
            self._delete(where, options)

    def _dry_run(self, where: Q) -> None:
        rows = Log.objects.filter(where).order_by().values_list("level").annotate(n=Count("pk"))
        by_level = dict(rows)
        self.stdout.write(f"Dry run: would delete {sum(by_level.values()):,} logs.")
        for level, n in sorted(by_level.items()):
            self.stdout.write(f"  level {level:<5} {n:>12,}")

    def _write_raw(self, text: str) -> None:
        self.stdout.write(text, ending="")
        self.stdout.flush()

    def _delete(self, where: Q, options: dict[str, Any]) -> None:
        progress = None
        if self.stdout.isatty() and not options["no_progress"]:
            progress = TerminalProgress(
                Log.objects.filter(where).count(), write=self._write_raw, noun="logs"
            )
        summary = DeletionSummary()

        def on_batch(latest: DeletionSummary) -> None:
            nonlocal summary
            summary = latest
            if progress is not None:
                progress.update(latest)

        try:
            summary = rows_delete_matching(
                Log,
                where=where,
                keys=("timestamp", "id"),
                batch_size=options["batch_size"],
                on_batch=on_batch,
            )
        except KeyboardInterrupt:
            if progress is not None:
                progress.finish()
            self.stdout.write(
                f"Interrupted after deleting {summary.deleted:,} logs in {summary.batches} "
                "batches; the batch in flight was rolled back. Run the command again to continue."
            )
            raise CommandError("interrupted", returncode=130) from None
        if progress is not None:
            progress.finish()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {summary.deleted:,} logs in {summary.batches} batches "
                f"({summary.elapsed:.1f}s; longest batch transaction "
                f"{summary.longest_batch * 1000:.0f} ms)."
            )
        )
