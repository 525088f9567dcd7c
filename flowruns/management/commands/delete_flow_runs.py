"""`manage.py delete_flow_runs`: retention for flow runs, in short batches.

Selects runs with the API's filter language (`flowruns.services.retention.FlowRunSelection`)
and deletes them with their states, inputs, task runs, concurrency leases and logs, one batch
per transaction. See the README's "Retention" section for examples.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from flowruns.models import FlowRun, StateType
from flowruns.services.deletion import DeletionSummary
from flowruns.services.flow_runs_delete import flow_runs_delete_matching
from flowruns.services.retention import (
    FlowRunSelection,
    TerminalProgress,
    earliest,
    flow_runs_count_by_state_type,
    parse_age,
    parse_datetime,
)


def _counts(by_type: dict[str, int]) -> str:
    return ", ".join(f"{state_type} {n:,}" for state_type, n in sorted(by_type.items()))


class Command(BaseCommand):
    help = (
        "Delete flow runs with their states, inputs, task runs and logs, in batches. "
        "Without --state-type only terminal runs (COMPLETED, FAILED, CANCELLED, CRASHED) are "
        "deleted, unless --include-active. Age is the run's end time, or its expected start "
        "time if it never ended."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than",
            metavar="AGE",
            help="runs that ended (or, never ended, were expected to start) at least AGE ago: "
            "30d, 12h, 90m, 2w",
        )
        parser.add_argument(
            "--before",
            metavar="DATE",
            help="runs that ended (or were expected to start) "
            "at or before DATE (ISO 8601; no offset means UTC)",
        )
        parser.add_argument(
            "--state-type",
            action="append",
            default=[],
            choices=[t.value for t in StateType],
            type=str.upper,
            help="only runs in this state type (repeatable); allows non-terminal types",
        )
        parser.add_argument(
            "--include-active",
            action="store_true",
            help="without --state-type, select runs in every state, not only terminal ones",
        )
        parser.add_argument(
            "--flow",
            action="append",
            default=[],
            metavar="NAME",
            help="runs of this flow (repeatable: any of them)",
        )
        parser.add_argument(
            "--deployment",
            metavar="ID|NAME|FLOW/NAME",
            help="runs of this deployment, by id, name or flow-name/deployment-name",
        )
        parser.add_argument(
            "--tag",
            action="append",
            default=[],
            help="runs carrying this tag (repeatable: all must match)",
        )
        parser.add_argument("--all", action="store_true", help="allow running without any selector")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be deleted, delete nothing"
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="runs per transaction (default 1000)"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on a terminal"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        selection = self._selection(options)
        if not selection.has_selector and not options["all"]:
            raise CommandError(
                "Refusing to delete without a selector: give --older-than, --before, "
                "--state-type, --flow, --deployment or --tag (or --all to select every "
                "terminal run)."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        where = selection.q()
        if options["dry_run"]:
            self._dry_run(where)
            return
        self._delete(where, options)

    def _selection(self, options: dict[str, Any]) -> FlowRunSelection:
        try:
            age = parse_age(options["older_than"]) if options["older_than"] else None
            before = parse_datetime(options["before"]) if options["before"] else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        cutoff = earliest(timezone.now() - age if age else None, before)
        return FlowRunSelection(
            cutoff=cutoff,
            state_types=tuple(dict.fromkeys(options["state_type"])),
            include_active=options["include_active"],
            flow_names=tuple(options["flow"]),
            deployments=(options["deployment"],) if options["deployment"] else (),
            tags=tuple(options["tag"]),
        )

    def _dry_run(self, where: Any) -> None:
        by_type = flow_runs_count_by_state_type(where)
        total = sum(by_type.values())
        self.stdout.write(
            f"Dry run: would delete {total:,} flow runs "
            "(with their states, inputs, task runs and logs)."
        )
        for state_type, n in sorted(by_type.items()):
            self.stdout.write(f"  {state_type:<12} {n:>10,}")

    def _write_raw(self, text: str) -> None:
        self.stdout.write(text, ending="")
        self.stdout.flush()

    def _delete(self, where: Any, options: dict[str, Any]) -> None:
        progress = None
        if self.stdout.isatty() and not options["no_progress"]:
            total = FlowRun.objects.filter(where).count()
            progress = TerminalProgress(total, write=self._write_raw, noun="runs")
        summary = DeletionSummary()

        def on_batch(latest: DeletionSummary) -> None:
            nonlocal summary
            summary = latest
            if progress is not None:
                progress.update(latest)

        try:
            summary = flow_runs_delete_matching(
                where=where, batch_size=options["batch_size"], on_batch=on_batch
            )
        except KeyboardInterrupt:
            if progress is not None:
                progress.finish()
            self.stdout.write(
                f"Interrupted after deleting {summary.deleted:,} flow runs in "
                f"{summary.batches} batches; the batch in flight was rolled back. "
                "Run the same command again to continue."
            )
            raise CommandError("interrupted", returncode=130) from None
        if progress is not None:
            progress.finish()
        detail = f": {_counts(summary.by_state_type)}" if summary.deleted else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {summary.deleted:,} flow runs in {summary.batches} batches "
                f"({summary.elapsed:.1f}s; longest batch transaction "
                f"{summary.longest_batch * 1000:.0f} ms){detail}."
            )
        )
