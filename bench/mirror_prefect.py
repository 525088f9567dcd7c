#!/usr/bin/env python
"""Copy the reference rows of a seeded Prefect database into ours, unchanged.

    DATABASE_URL=postgres://.../bench_ours_1m .venv/bin/python bench/mirror_prefect.py \
        --source postgresql://postgres@127.0.0.1:5432/bench_prefect_1m

Copies the flows named `seed-flow-*` (with their ids) and all of their runs and state rows
(what /work/shared/bench/seed_prefect_flow_runs.sql writes), so that both servers hold
exactly the same runs and their answers can be compared id for id. Replaces the run tables'
contents. Loads like `seed_flow_runs` (flowruns/seeding/writers.py): one transaction,
secondary indexes and constraints dropped and rebuilt, COPY FREEZE, then VACUUM ANALYZE.
Rows stream from one COPY to the other, so memory stays flat at any size.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Our column -> the expression that reads it from Prefect's table (same name if absent here).
CASTS = {
    "state_type": "state_type::text",
    "type": "type::text",
    "total_run_time": "extract(epoch FROM total_run_time)::float8",
}
SEED_FLOWS = "SELECT id FROM flow WHERE name LIKE 'seed-flow-%'"
SOURCES = {
    "flow": f"FROM flow WHERE id IN ({SEED_FLOWS})",
    "flow_run": f"FROM flow_run WHERE flow_id IN ({SEED_FLOWS})",
    "flow_run_state": "FROM flow_run_state WHERE flow_run_id IN "
    f"(SELECT id FROM flow_run WHERE flow_id IN ({SEED_FLOWS}))",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True, help="libpq URL of the seeded Prefect database")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    import psycopg
    from django.db import connection, transaction
    from psycopg import sql

    from flowruns.seeding.tables import seeded_tables
    from flowruns.seeding.writers import PostgresWriter, say

    if connection.vendor != "postgresql":
        raise SystemExit("the mirror loads into PostgreSQL only")
    tables = seeded_tables()
    # Columns the seeder fills with their model default (ours only): the same here.
    defaults = {
        t.name: dict(zip(t.columns[len(t.columns) - len(t.extra) :], t.extra, strict=True))
        for t in tables
    }
    writer = PostgresWriter(connection, tables)
    started = time.perf_counter()
    with psycopg.connect(args.source) as source, transaction.atomic():
        prefect_columns = _columns(source)
        writer.truncate()
        writer.freeze = True
        writer.drop_indexes()
        connection.ensure_connection()
        target = connection.connection
        with target.cursor() as cursor:
            cursor.execute("DELETE FROM flow WHERE name LIKE 'seed-flow-%'")
        for name in ("flow", "flow_run", "flow_run_state"):
            ours = _our_columns(target, name)
            expressions = []
            for column in ours:
                if column in prefect_columns[name]:
                    expressions.append(sql.SQL(CASTS.get(column, f'"{column}"')))
                elif column in defaults.get(name, {}):
                    expressions.append(sql.Literal(defaults[name][column]))
                else:
                    raise SystemExit(f"{name}.{column}: not in Prefect's table and no default")
            select = sql.SQL("COPY (SELECT {} {}) TO STDOUT").format(
                sql.SQL(", ").join(expressions), sql.SQL(SOURCES[name])
            )
            freeze = " (FREEZE)" if name != "flow" else ""
            load = f"COPY {name} ({', '.join(ours)}) FROM STDIN{freeze}"
            step = time.perf_counter()
            rows = 0
            with (
                source.cursor() as out_cursor,
                target.cursor() as in_cursor,
                out_cursor.copy(select) as out,
                in_cursor.copy(load) as into,
            ):
                for chunk in out:
                    into.write(chunk)
                    rows += bytes(chunk).count(b"\n")
            say(f"  {name:<16} {rows:>12,} rows in {time.perf_counter() - step:.1f}s")
        writer.restore_indexes()
        say("committing")
    say("analyzing")
    writer.analyze()
    say(f"mirrored in {time.perf_counter() - started:.1f}s")


def _columns(conn) -> dict[str, set[str]]:
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name IN ('flow', 'flow_run', 'flow_run_state')"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def _our_columns(conn, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [column for (column,) in rows]


if __name__ == "__main__":
    main()
