"""`manage.py delete_events`: event retention (spec/events.md §9.2), meant for cron (hourly,
as Prefect's vacuum runs).

Applies PREFECT_SERVER_EVENTS_RETENTION_PERIOD (or `--older-than`) and the per-name
overrides. On PostgreSQL it drops whole daily partitions and creates the upcoming ones; on
SQLite it deletes in batches, one transaction each. See `events.services.retention`.
"""

from __future__ import annotations

import re
from argparse import ArgumentParser
from datetime import date, timedelta
from typing import Any

from django.core.management.base import CommandError
from django.db import OperationalError

from config.cli import OperatorCommand, add_no_input_argument, confirmed
from events.conf import event_settings, parse_duration
from events.services.retention import (
    RetentionPlan,
    events_apply_retention,
    retention_plan,
    retention_preview,
)

_AGE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_period(text: str) -> timedelta:
    """`30d`, `12h`, `2w` or an ISO 8601 duration (`P7D`)."""
    match = _AGE.match(text.strip().lower())
    if match and int(match.group(1)) > 0:
        return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    try:
        return parse_duration(text)
    except ValueError:
        raise ValueError(f"Invalid age {text!r}: use 30d, 12h, 2w or P7D") from None


def _days(days: list[date]) -> str:
    if not days:
        return "none"
    if len(days) <= 4:
        return ", ".join(d.isoformat() for d in days)
    return f"{days[0].isoformat()} .. {days[-1].isoformat()}"


class Command(OperatorCommand):
    help = (
        "Delete events older than the retention period (PREFECT_SERVER_EVENTS_RETENTION_PERIOD, "
        "default P7D) and per-name overrides. PostgreSQL: drops whole daily partitions and "
        "creates the upcoming ones. SQLite: batched deletes."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than",
            metavar="AGE",
            help="retention period to apply instead of the setting: 30d, 12h, 2w or P7D",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be done, change nothing"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            help="events per transaction for row deletes "
            "(default PREFECT_SERVER_SERVICES_DB_VACUUM_BATCH_SIZE, 200)",
        )
        add_no_input_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["older_than"]) if options["older_than"] else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        batch_size = options["batch_size"]
        if batch_size is None:
            batch_size = event_settings().vacuum_batch_size
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        plan = retention_plan(period=period)
        if options["dry_run"]:
            self._dry_run(plan)
            return
        if options["interactive"]:  # previewed only to ask: --no-input (cron) skips both
            question = self._question(plan)
            if question is not None and not confirmed(self, options, question=question):
                return
        try:
            result = events_apply_retention(plan, batch_size=batch_size)
        except OperationalError as error:
            raise CommandError(f"Stopped: {error} Run the command again later.") from None
        self.stdout.write(
            f"Retention period {plan.period}: cutoff {plan.cutoff:%Y-%m-%d %H:%M} UTC."
        )
        if result.created or result.dropped:
            self.stdout.write(f"Created partitions for: {_days(result.created)}.")
            self.stdout.write(f"Dropped partitions of: {_days(result.dropped)}.")
        for description, n in result.deleted.by_rule.items():
            self.stdout.write(f"  events {description}: {n:,} deleted")
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {result.deleted.events:,} events and {result.deleted.resources:,} "
                f"resource rows in {result.deleted.batches} batches"
                + (f", dropped {len(result.dropped)} daily partitions." if result.dropped else ".")
            )
        )

    def _question(self, plan: RetentionPlan) -> str | None:
        """What the run would delete, as the confirmation's question; None when it would
        delete nothing (then it only creates the upcoming partitions, without asking)."""
        preview = retention_preview(plan)
        parts = []
        if preview["drop"]:
            parts.append(
                f"drop the daily partitions of {_days(preview['drop'])} "
                f"(about {preview['drop_rows_estimate']:,} events)"
            )
        by_rule = sum(n for _, n in preview["rules"])
        if by_rule:
            parts.append(f"delete {by_rule:,} events")
        if not parts:
            return None
        return (
            f"This will {' and '.join(parts)}: events older than {plan.period} "
            f"(before {plan.cutoff:%Y-%m-%d %H:%M} UTC) or past their per-name retention."
        )

    def _dry_run(self, plan: RetentionPlan) -> None:
        preview = retention_preview(plan)
        self.stdout.write(
            f"Dry run. Retention period {plan.period}: cutoff {plan.cutoff:%Y-%m-%d %H:%M} UTC."
        )
        if preview["create"] or preview["drop"]:
            self.stdout.write(f"Would create partitions for: {_days(preview['create'])}.")
            self.stdout.write(
                f"Would drop partitions of: {_days(preview['drop'])} "
                f"(about {preview['drop_rows_estimate']:,} events, "
                f"{preview['drop_bytes'] / 1e6:,.1f} MB)."
            )
        for description, n in preview["rules"]:
            self.stdout.write(f"  events {description}: would delete {n:,}")
