"""`manage.py seed_flow_runs`: fill a database with realistic demo data, fast."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from flowruns.seeding.load import seed


class Command(BaseCommand):
    help = (
        "Insert realistic flows, deployments and flow runs in every state, with state "
        "histories, tags, task runs and logs. PostgreSQL loads with COPY (indexes rebuilt "
        "afterwards); SQLite with batched inserts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=1000, help="flow runs to insert")
        parser.add_argument("--flows", type=int, default=20, help="flows to spread them over")
        parser.add_argument("--states-per-run", type=int, default=3, help="history length")
        parser.add_argument("--task-runs-per-run", type=int, default=0)
        parser.add_argument("--logs-per-run", type=int, default=0)
        parser.add_argument("--batch-size", type=int, default=10000)
        parser.add_argument("--truncate", action="store_true", help="empty the run tables first")
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="PostgreSQL: insert through the indexes instead of rebuilding them",
        )
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("runs", "task_runs_per_run", "logs_per_run"):
            if options[name] < 0:
                self.stderr.write(f"--{name.replace('_', '-')} must be >= 0")
                raise SystemExit(2)
        if options["flows"] < 1 or options["batch_size"] < 1 or options["states_per_run"] < 1:
            self.stderr.write("--flows, --batch-size and --states-per-run must be >= 1")
            raise SystemExit(2)
        counts = seed(
            runs=options["runs"],
            flows=options["flows"],
            states_per_run=options["states_per_run"],
            task_runs_per_run=options["task_runs_per_run"],
            logs_per_run=options["logs_per_run"],
            batch_size=options["batch_size"],
            truncate=options["truncate"],
            keep_indexes=options["keep_indexes"],
            random_seed=options["seed"],
            write=self.stdout.write,
        )
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"seeded {total:,} rows"))
