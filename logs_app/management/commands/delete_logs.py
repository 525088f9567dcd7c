"""`manage.py delete_logs`: log retention by age and level, in short batches.

Selects logs with the API's `LogFilter` (`logs_app.selectors.logs_retention_q`) and deletes
them in keyset batches on (timestamp, id), each batch its own transaction
(`logs_app.services.logs_delete_matching`). See the README's "Retention" section.
"""

from __future__ import annotations

from argparse import ArgumentParser
from functools import partial
from typing import Any

from django.core.management.base import CommandError
from django.db.models import Q

from config.cli import OperatorCommand, add_no_input_argument, confirmed
from flowruns.management.arguments import (
    add_batch_arguments,
    add_cutoff_arguments,
    argument_type,
    cutoff,
)
from flowruns.management.progress import delete_with_progress, summary_line
from logs_app.levels import level_name, parse_level
from logs_app.models import Log
from logs_app.selectors import logs_count_by_level, logs_retention_q
from logs_app.services import logs_delete_matching

level = argument_type(parse_level)


def _by_level(by_level: dict[int, int]) -> str:
    return ", ".join(f"{level_name(number)} {n:,}" for number, n in sorted(by_level.items()))


class Command(OperatorCommand):
    help = "Delete logs by age and level, in batches (one transaction per batch)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_cutoff_arguments(parser, rows="logs timestamped")
        parser.add_argument(
            "--level-below",
            metavar="LEVEL",
            type=level,
            help="only logs whose level is below LEVEL: DEBUG, INFO, WARNING, ERROR, CRITICAL "
            "(any case) or a number",
        )
        parser.add_argument(
            "--max-level",
            metavar="LEVEL",
            type=level,
            help="only logs whose level is at most LEVEL (a name such as INFO, or a number)",
        )
        add_batch_arguments(parser, noun="logs", batch_size=5000, every="every log")
        add_no_input_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        levels = [options["max_level"]]
        if options["level_below"] is not None:
            levels.append(options["level_below"] - 1)
        given = [value for value in levels if value is not None]
        max_level = min(given) if given else None
        before = cutoff(options)
        if before is None and max_level is None and not options["all"]:
            raise CommandError(
                "Refusing to delete without a selector: give --older-than, --before, "
                "--level-below or --max-level (or --all to delete every log)."
            )
        where = logs_retention_q(cutoff=before, max_level=max_level)
        if options["dry_run"]:
            self._dry_run(where)
        else:
            self._delete(where, options)

    def _dry_run(self, where: Q) -> None:
        by_level = logs_count_by_level(where)
        self.stdout.write(f"Dry run: would delete {sum(by_level.values()):,} logs.")
        for number, n in sorted(by_level.items()):
            self.stdout.write(f"  {level_name(number):<10} {n:>12,}")

    def _delete(self, where: Q, options: dict[str, Any]) -> None:
        if options["interactive"] and not self._confirmed(where, options):
            return
        summary = delete_with_progress(
            self,
            options,
            noun="logs",
            unit="logs",
            count=Log.objects.filter(where).count,
            delete=partial(logs_delete_matching, where=where, batch_size=options["batch_size"]),
        )
        self.stdout.write(self.style.SUCCESS(f"{summary_line(summary, 'logs')}."))

    def _confirmed(self, where: Q, options: dict[str, Any]) -> bool:
        """Counted first (not with --no-input: cron pays nothing extra), then asked."""
        by_level = logs_count_by_level(where)
        total = sum(by_level.values())
        if not total:
            self.stdout.write("No logs match; nothing deleted.")
            return False
        return confirmed(
            self, options, question=f"This will delete {total:,} logs ({_by_level(by_level)})."
        )
