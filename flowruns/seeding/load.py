"""Seeding a database with realistic flow runs: the implementation behind
`manage.py seed_flow_runs` (which the benchmarks use too: `make bench-seed`).

PostgreSQL: COPY inside one transaction, with the loaded tables' secondary indexes and
constraints dropped first and rebuilt at the end (`keep_indexes=True` inserts through them).
SQLite: executemany, one transaction per batch. Both finish with ANALYZE.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from queue import Queue
from threading import Thread
from typing import Any, TypeVar

from django.db import connection, transaction

from flowruns.models import Deployment, Flow, WorkPool, WorkQueue

from .generate import RunFactory
from .mix import REFERENCE_FLOWS
from .reference import ReferenceRunFactory
from .rows import DeploymentSpec, FlowSpec
from .tables import seeded_tables
from .writers import PostgresWriter, SqliteWriter, say, set_output

T = TypeVar("T")
FLOW_NAMES = (
    "etl-orders", "sync-customers", "daily-report", "train-churn-model", "ingest-events",
    "backup-warehouse", "score-leads", "refresh-dashboards", "send-invoices", "dbt-run",
    "clean-staging", "export-metrics", "reconcile-payments", "crawl-catalog", "build-features",
)  # fmt: skip


def reference_data(flow_count: int) -> list[FlowSpec]:
    """Flows with 1-3 deployments each, attached to the queues of one work pool."""
    pool, _ = WorkPool.objects.get_or_create(name="bench-pool", defaults={"type": "process"})
    queues = [
        WorkQueue.objects.get_or_create(work_pool=pool, name=name, defaults={"priority": i})[0]
        for i, name in enumerate(("default", "high", "low"), start=1)
    ]
    specs = []
    for i in range(flow_count):
        base = FLOW_NAMES[i % len(FLOW_NAMES)]
        name = base if i < len(FLOW_NAMES) else f"{base}-{i // len(FLOW_NAMES)}"
        flow, _ = Flow.objects.get_or_create(name=name, defaults={"tags": ["bench"]})
        deployments = []
        for j in range(1 + i % 3):
            queue = queues[(i + j) % len(queues)]
            deployment, _ = Deployment.objects.get_or_create(
                flow=flow,
                name=("production", "staging", "backfill")[j],
                defaults={
                    "version": f"1.{j}.{i}",
                    "work_queue": queue,
                    "work_queue_name": queue.name,
                    "tags": ["bench"],
                },
            )
            deployments.append(
                DeploymentSpec(
                    id=deployment.id,
                    version=deployment.version,
                    work_queue_id=deployment.work_queue_id,
                    work_queue_name=deployment.work_queue_name,
                )
            )
        specs.append(
            FlowSpec(
                id=flow.id,
                name=flow.name,
                versions=tuple(f"{(i * 2654435761 + k * 40503) & 0xFFFFFFFF:08x}" for k in (1, 2)),
                deployments=tuple(deployments),
                parameters=(
                    "{}",
                    json.dumps({"date": "2025-01-01", "limit": 1000}),
                    json.dumps({"source": f"s3://bench/{name}/", "full_refresh": False}),
                ),
            )
        )
    return specs


def reference_flows() -> list[FlowSpec]:
    """The reference profile's flows, `seed-flow-0..9`, as the Prefect seed script makes them."""
    specs = []
    for name in REFERENCE_FLOWS:
        flow, _ = Flow.objects.get_or_create(name=name, defaults={"tags": []})
        specs.append(FlowSpec(id=flow.id, name=name, versions=(), deployments=(), parameters=()))
    return specs


def prefetched(batches: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Produce the next batches in a thread while the caller writes the current one: the
    database parses COPY data on the other core while Python builds rows here."""
    queue: Queue[Any] = Queue(maxsize=depth)
    done = object()

    def produce() -> None:
        try:
            for batch in batches:
                queue.put(batch)
            queue.put(done)
        except BaseException as error:  # handed over to the consumer, raised there
            queue.put(error)

    Thread(target=produce, name="seed-generator", daemon=True).start()
    while (item := queue.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


def seed(
    *,
    runs: int,
    flows: int = 20,
    states_per_run: int = 3,
    task_runs_per_run: int = 0,
    logs_per_run: int = 0,
    batch_size: int = 10000,
    truncate: bool = False,
    keep_indexes: bool = False,
    random_seed: int | None = None,
    write: Callable[[str], object] | None = None,
    profile: str = "default",
    anchor_us: int | None = None,
) -> dict[str, int]:
    """Insert `runs` flow runs (with states, task runs and logs) and return rows per table.

    `profile="reference"` makes the Prefect comparison's data set instead (reference.py:
    10 flows, one state per run; the other shape options do not apply), its 30-day window
    ending at `anchor_us` (default: now)."""
    if write is not None:
        set_output(write)
    tables = seeded_tables()
    writer: PostgresWriter | SqliteWriter
    if connection.vendor == "postgresql":
        writer = PostgresWriter(connection, tables)
    elif connection.vendor == "sqlite":
        writer = SqliteWriter(connection, tables)
    else:
        raise SystemExit(f"unsupported database vendor {connection.vendor!r}")
    say(
        f"seeding {runs:,} runs ({profile} profile) into {connection.vendor} "
        f"{connection.settings_dict['NAME']}"
    )

    now_us = time.time_ns() // 1000
    factory: RunFactory | ReferenceRunFactory
    if profile == "reference":
        factory = ReferenceRunFactory(
            flows=reference_flows(),
            now_us=now_us,
            anchor_us=now_us if anchor_us is None else anchor_us,
            rng=random.Random(random_seed),
            total_runs=runs,
        )
    elif profile == "default":
        factory = RunFactory(
            flows=reference_data(flows),
            now_us=now_us,
            states_per_run=states_per_run,
            task_runs_per_run=task_runs_per_run,
            logs_per_run=logs_per_run,
            rng=random.Random(random_seed),
            total_runs=runs,
        )
    else:
        raise SystemExit(f"unknown seeding profile {profile!r}")
    counts = dict.fromkeys((t.name for t in tables), 0)
    timings = {"generate": 0.0, "write": 0.0}
    started = time.perf_counter()
    last_report = started

    def load_batches(*, transaction_per_batch: bool) -> None:
        nonlocal last_report
        done = 0
        for batch in prefetched(factory.batches(runs, batch_size, timings)):
            step = time.perf_counter()
            if transaction_per_batch:
                with transaction.atomic():
                    writer.write(batch)
            else:
                writer.write(batch)
            timings["write"] += time.perf_counter() - step
            done += len(batch.runs)
            for table in tables:
                counts[table.name] += len(getattr(batch, table.batch_attr))
            now = time.perf_counter()
            if now - last_report >= 5 or done == runs:
                last_report = now
                rows, elapsed = sum(counts.values()), now - started
                say(
                    f"  {done:>11,} runs  {rows:>12,} rows  "
                    f"{done / elapsed:>9,.0f} runs/s  {rows / elapsed:>9,.0f} rows/s"
                )

    if isinstance(writer, PostgresWriter) and not keep_indexes:
        # One transaction: a failure leaves the tables, indexes and constraints as they were.
        with transaction.atomic():
            if truncate:
                writer.truncate()
                writer.freeze = True  # COPY FREEZE needs the TRUNCATE in this transaction
            writer.drop_indexes()
            load_batches(transaction_per_batch=False)
            loaded = time.perf_counter()
            writer.restore_indexes()
            say("committing")
    else:
        if truncate:
            with transaction.atomic():
                writer.truncate()
        load_batches(transaction_per_batch=True)
        loaded = time.perf_counter()
    committed = time.perf_counter()
    say("analyzing")
    writer.analyze()
    finished = time.perf_counter()

    rows = sum(counts.values())
    say("")
    for name, count in counts.items():
        say(f"  {name:<16} {count:>12,}")
    say(
        f"loaded {rows:,} rows in {loaded - started:.1f}s "
        f"({rows / max(loaded - started, 1e-9):,.0f} rows/s; "
        f"generate {timings['generate']:.1f}s, write {timings['write']:.1f}s)"
    )
    say(
        f"indexes+commit {committed - loaded:.1f}s, analyze {finished - committed:.1f}s; "
        f"total {finished - started:.1f}s = {rows / (finished - started):,.0f} rows/s, "
        f"{runs / (finished - started):,.0f} runs/s end to end"
    )

    return counts
