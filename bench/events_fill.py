#!/usr/bin/env python
"""Fill the event tables with a week of realistic events, fast (no HTTP, no recorder).

    DJANGO_SETTINGS_MODULE=config.settings.production \\
        .venv/bin/python bench/events_fill.py --events 1000000 [--days 7] [--seed 0] [--truncate]

Events come from `bench/event_mix.py` (flow runs with their state events, heartbeats and
client task-run events), flow runs starting in order over the last `--days` days (until
an hour ago), so every daily partition holds its share. Each event gets its
`event_resources` rows (the primary resource and every related one), as ingestion writes
them. On PostgreSQL the days' partitions are made first (`partitions_ensure`), then each
batch is one COPY per table and one commit, through the tables' indexes; `ANALYZE` at the
end. On SQLite each batch goes through the storage functions ingestion uses
(`events_insert_new`, `event_resources_insert`: multi-row INSERT). The task-run events are
stored as events only: no task runs are made (the flow runs they name do not exist).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.event_mix import RESOURCE_ID, ROLE, Mix  # noqa: E402 - after the path is set


def generate(
    *, events: int, days: float, seed: int, now: datetime
) -> Iterator[list[dict[str, Any]]]:
    """The events of one flow run at a time, `events` in all; flow runs start in order over
    [now - days, now - 1 h], spaced by the events generated so far."""
    mix = Mix(seed=seed)
    begin = now - timedelta(days=days)
    span = (now - timedelta(hours=1)) - begin
    made = 0
    while made < events:
        start = begin + span * (made / events)
        story = mix.flow_run_events(start)[: events - made]
        made += len(story)
        yield story


_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def _copy_text(value: Any) -> str:
    """A COPY text-format field: JSON for containers, backslash escapes, NULL as \\N."""
    if value is None:
        return "\\N"
    text = value if isinstance(value, str) else _encode(value)
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text or "\n" in text:
        text = text.replace("\t", "\\t").replace("\n", "\\n")
    return text


def copy_lines(stories: list[list[dict[str, Any]]], received: str) -> tuple[list[str], list[str]]:
    """The COPY text lines of `events` and `event_resources` for these events."""
    event_lines, resource_lines = [], []
    for story in stories:
        for event in story:
            involved = [event["resource"], *event["related"]]
            row = (
                event["id"],
                event["occurred"],
                received,
                event["event"],
                event["resource"][RESOURCE_ID],
                event["resource"],
                event["related"],
                [r[RESOURCE_ID] for r in event["related"]],
                event["payload"],
                event["follows"],
            )
            event_lines.append("\t".join(map(_copy_text, row)) + "\n")
            for index, resource in enumerate(involved):
                labels = {k: v for k, v in resource.items() if k not in (RESOURCE_ID, ROLE)}
                role = "" if index == 0 else resource[ROLE]
                cells = (event["id"], event["occurred"], resource[RESOURCE_ID], role, labels)
                resource_lines.append("\t".join(map(_copy_text, cells)) + "\n")
    return event_lines, resource_lines


def write_postgres(stories: list[list[dict[str, Any]]], received: str) -> int:
    from django.db import connection, transaction

    from events.storage.inserts import EVENT_COLUMNS, RESOURCE_COLUMNS

    event_lines, resource_lines = copy_lines(stories, received)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            for table, columns, lines in (
                ("events", EVENT_COLUMNS, event_lines),
                ("event_resources", RESOURCE_COLUMNS, resource_lines),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write("".join(lines))
    return len(resource_lines)


def write_storage(stories: list[list[dict[str, Any]]], received: str) -> int:
    from django.db import transaction

    from events.schemas.event import EventIn
    from events.storage.inserts import event_resources_insert, events_insert_new

    moment = datetime.fromisoformat(received)
    stored = [EventIn.model_validate(e).receive(moment) for story in stories for e in story]
    with transaction.atomic():
        new = events_insert_new(stored)
        return event_resources_insert([event for event in stored if event.id in new])


def days_between(first: datetime, last: datetime) -> list[date]:
    day, days = first.date(), []
    while day <= last.date():
        days.append(day)
        day += timedelta(days=1)
    return days


def fill(
    *, events: int, days: float, seed: int, batch: int, truncate: bool, now: datetime
) -> dict[str, Any]:
    from django.db import connection

    from events.storage.partitions import is_partitioned, partitions_ensure

    postgres = is_partitioned()
    if truncate:
        statements = (
            ["TRUNCATE events, event_resources"]
            if postgres
            else [
                "DELETE FROM event_resources",
                "DELETE FROM events",
            ]
        )
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    if postgres:
        partitions_ensure(days_between(now - timedelta(days=days), now))
    write = write_postgres if postgres else write_storage
    received = now.isoformat()
    started = time.perf_counter()
    written = resources = 0
    pending: list[list[dict[str, Any]]] = []
    for story in generate(events=events, days=days, seed=seed, now=now):
        pending.append(story)
        if sum(map(len, pending)) >= batch:
            resources += write(pending, received)
            written += sum(map(len, pending))
            pending = []
            rate = written / (time.perf_counter() - started)
            print(f"{written:,} events, {resources:,} resource rows ({rate:,.0f}/s)", flush=True)
    if pending:
        resources += write(pending, received)
        written += sum(map(len, pending))
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events")
            cursor.execute("ANALYZE event_resources")
    seconds = time.perf_counter() - started
    return {
        "events": written,
        "event_resources": resources,
        "seconds": round(seconds, 1),
        "events_per_s": round(written / seconds),
        "method": "copy" if postgres else "storage functions",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=float, default=7.0, help="spread over this many days")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=20_000, help="events per transaction")
    parser.add_argument("--truncate", action="store_true", help="empty the event tables first")
    args = parser.parse_args(argv)
    if args.events < 1 or not 0 < args.days <= 30:
        parser.error("--events >= 1 and 0 < --days <= 30")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    result = fill(
        events=args.events,
        days=args.days,
        seed=args.seed,
        batch=args.batch,
        truncate=args.truncate,
        now=datetime.now(UTC),
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
