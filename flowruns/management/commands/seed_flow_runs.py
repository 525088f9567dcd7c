"""`manage.py seed_flow_runs`: fill a database with realistic demo data, fast."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NoReturn

from django.core.management.base import CommandParser
from django.db import connection

from config.cli import OperatorCommand, add_no_input_argument, confirmed
from flowruns.models import FlowRun
from flowruns.seeding.load import seed

# The options that shape the default profile's data; the reference profile fixes them.
SHAPE_DEFAULTS = {"flows": 20, "states_per_run": 3, "task_runs_per_run": 0, "logs_per_run": 0}


class Command(OperatorCommand):
    help = (
        "Insert realistic flows, deployments and flow runs in every state, with state "
        "histories, tags, task runs and logs. PostgreSQL loads with COPY (indexes rebuilt "
        "afterwards); SQLite with batched inserts. `--profile reference` makes the data set "
        "of the Prefect comparison instead (bench/README.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=1000, help="flow runs to insert")
        parser.add_argument(
            "--profile",
            choices=("default", "reference"),
            default="default",
            help="reference: 10 flows, one state row per run, the comparison's state mix",
        )
        parser.add_argument(
            "--anchor",
            default=None,
            help="reference profile: end of the 30-day window (ISO 8601; default now)",
        )
        parser.add_argument("--flows", type=int, help="flows to spread them over (default 20)")
        parser.add_argument(
            "--states-per-run", type=int, help="state history length per run (default 3)"
        )
        parser.add_argument("--task-runs-per-run", type=int, help="task runs per run (default 0)")
        parser.add_argument("--logs-per-run", type=int, help="logs per run (default 0)")
        parser.add_argument("--batch-size", type=int, default=10000, help="runs per batch")
        parser.add_argument(
            "--truncate",
            action="store_true",
            help="empty the run tables first (deletes every flow run, task run and log; asks)",
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="PostgreSQL: insert through the indexes. Without it they are dropped and "
            "rebuilt after the load, which is refused on a database already holding runs "
            "unless --truncate",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help="random seed, for repeatable data (default: random)",
        )
        add_no_input_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        given = [name for name in SHAPE_DEFAULTS if options.get(name) is not None]
        if options["profile"] == "reference" and given:
            names = ", ".join(f"--{name.replace('_', '-')}" for name in given)
            self._refuse(f"{names}: the reference profile fixes the data's shape")
        if options["profile"] != "reference" and options.get("anchor") is not None:
            self._refuse("--anchor only applies to --profile reference")
        shape = {
            name: default if options.get(name) is None else options[name]
            for name, default in SHAPE_DEFAULTS.items()
        }
        if options["runs"] < 0 or shape["task_runs_per_run"] < 0 or shape["logs_per_run"] < 0:
            self._refuse("--runs, --task-runs-per-run and --logs-per-run must be >= 0")
        if shape["flows"] < 1 or options["batch_size"] < 1 or shape["states_per_run"] < 1:
            self._refuse("--flows, --batch-size and --states-per-run must be >= 1")
        anchor = self._anchor(options.get("anchor"))
        if not self._may_write(options):
            return
        counts = seed(
            runs=options["runs"],
            **shape,
            batch_size=options["batch_size"],
            truncate=options["truncate"],
            keep_indexes=options["keep_indexes"],
            random_seed=options["seed"],
            write=self.stdout.write,
            profile=options["profile"],
            anchor_us=None if anchor is None else int(anchor.timestamp() * 1_000_000),
        )
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"seeded {total:,} rows"))

    def _may_write(self, options: dict[str, Any]) -> bool:
        """Refuse to drop the indexes under existing runs (a live server's database), and ask
        before --truncate deletes them."""
        existing = FlowRun.objects.count()
        if not existing:
            return True
        if options["truncate"]:
            return confirmed(
                self,
                options,
                question=f"This will delete every flow run ({existing:,}), with their states, "
                "task runs and logs, before seeding (--truncate).",
            )
        if connection.vendor == "postgresql" and not options["keep_indexes"]:
            self._refuse(
                f"The database already holds {existing:,} flow runs: seeding would drop and "
                "rebuild the run tables' indexes, stalling any server using it. Pass "
                "--keep-indexes to insert through the indexes, or --truncate to empty the "
                "tables first. Nothing was changed."
            )
        return True

    def _anchor(self, value: str | datetime | None) -> datetime | None:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                self._refuse(f"--anchor {value!r} is not an ISO 8601 date-time")
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)  # naive: taken as UTC
        return value

    def _refuse(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(2)
