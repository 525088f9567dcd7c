"""`manage.py delete_flow_runs`: retention for flow runs, in short batches.

Selects runs with the API's filter language (`flowruns.selectors.retention.FlowRunSelection`)
and deletes them with their states, inputs, task runs, concurrency leases and logs, one batch
per transaction (`flowruns.services.flow_runs_delete`). See the README's "Retention" section.
"""

from __future__ import annotations

from argparse import ArgumentParser
from functools import partial
from typing import Any

from django.core.management.base import CommandError
from django.db.models import Q

from access.actors import acting_as, command_actor
from config.cli import OperatorCommand, add_no_input_argument, confirmed
from flowruns.management.arguments import add_batch_arguments, add_cutoff_arguments, cutoff
from flowruns.management.progress import delete_with_progress, summary_line
from flowruns.models import FlowRun, StateType
from flowruns.selectors.retention import (
    FlowRunSelection,
    flow_run_selection_unknowns,
    flow_runs_count_by_state_type,
)
from flowruns.services.flow_runs_delete import flow_runs_delete_matching


def _counts(by_type: dict[str, int]) -> str:
    return ", ".join(f"{state_type} {n:,}" for state_type, n in sorted(by_type.items()))


class Command(OperatorCommand):
    help = (
        "Delete flow runs with their states, inputs, task runs and logs, in batches. "
        "Without --state-type only terminal runs (COMPLETED, FAILED, CANCELLED, CRASHED) are "
        "deleted, unless --include-active. Age is the run's end time, or its expected start "
        "time if it never ended."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_cutoff_arguments(
            parser, rows="runs that ended (or, never ended, were expected to start)"
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
        add_batch_arguments(parser, noun="runs", batch_size=1000, every="every terminal run")
        add_no_input_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        selection = FlowRunSelection(
            cutoff=cutoff(options),
            state_types=tuple(dict.fromkeys(options["state_type"])),
            include_active=options["include_active"],
            flow_names=tuple(options["flow"]),
            deployments=(options["deployment"],) if options["deployment"] else (),
            tags=tuple(options["tag"]),
        )
        if not selection.has_selector and not options["all"]:
            raise CommandError(
                "Refusing to delete without a selector: give --older-than, --before, "
                "--state-type, --flow, --deployment or --tag (or --all to select every "
                "terminal run)."
            )
        unknown = flow_run_selection_unknowns(selection)
        if unknown:
            raise CommandError(f"Nothing deleted: {'; '.join(unknown)}.")
        where = selection.q()
        if options["dry_run"]:
            self._dry_run(where)
        else:
            self._delete(where, options)

    def _dry_run(self, where: Q) -> None:
        by_type = flow_runs_count_by_state_type(where)
        total = sum(by_type.values())
        self.stdout.write(
            f"Dry run: would delete {total:,} flow runs "
            "(with their states, inputs, task runs and logs)."
        )
        for state_type, n in sorted(by_type.items()):
            self.stdout.write(f"  {state_type:<12} {n:>10,}")

    def _delete(self, where: Q, options: dict[str, Any]) -> None:
        if options["interactive"] and not self._confirmed(where, options):
            return
        with acting_as(command_actor("delete_flow_runs")):  # named in the deletion log
            summary = delete_with_progress(
                self,
                options,
                noun="flow runs",
                unit="runs",
                count=FlowRun.objects.filter(where).count,
                delete=partial(
                    flow_runs_delete_matching, where=where, batch_size=options["batch_size"]
                ),
            )
        detail = f": {_counts(summary.by_state_type)}" if summary.deleted else ""
        self.stdout.write(self.style.SUCCESS(f"{summary_line(summary, 'flow runs')}{detail}."))

    def _confirmed(self, where: Q, options: dict[str, Any]) -> bool:
        """Counted first (not with --no-input: cron pays nothing extra), then asked."""
        by_type = flow_runs_count_by_state_type(where)
        total = sum(by_type.values())
        if not total:
            self.stdout.write("No flow runs match; nothing deleted.")
            return False
        question = (
            f"This will delete {total:,} flow runs ({_counts(by_type)}) with their states, "
            "inputs, task runs and logs."
        )
        return confirmed(self, options, question=question)
