"""`manage.py verify_run_counters [--rebuild]`: check the run counters behind /count and
/history against `flow_run`, and rebuild them when asked (`flowruns.counters.verify`)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from config.cli import OperatorCommand, add_no_input_argument, confirmed
from flowruns.counters.verify import counters_verify

SHOWN = 20


class Command(OperatorCommand):
    help = (
        "Compare the run counters (flow_run_count, flow_run_tag_count, flow_run_history_slot) "
        "with flow_run counted afresh; exit 1 if they differ. --rebuild replaces them with the "
        "fresh count. Writers of flow_run wait while it runs (seconds at 1M runs)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="replace the counters with the fresh count (also when exact; asks first)",
        )
        add_no_input_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"] and not confirmed(
            self,
            options,
            question="This will replace the run counters with a fresh count of flow_run; "
            "writers of flow_run wait until it is done.",
        ):
            return
        result = counters_verify(rebuild=options["rebuild"])
        for table, differences in result.differences.items():
            self.stdout.write(f"{table}: {len(differences)} difference(s)")
            for line in differences[:SHOWN]:
                self.stdout.write(f"  {line}")
        if result.rebuilt:
            self.stdout.write("rebuilt from flow_run")
        if not result.exact and not result.rebuilt:
            raise CommandError("run counters differ from flow_run; run with --rebuild")
        self.stdout.write("run counters are exact" if result.exact else "run counters rebuilt")
