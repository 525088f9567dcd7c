#!/usr/bin/env python
"""Fill the database with realistic flow runs, fast (see bench/README.md).

    .venv/bin/python bench/seed.py --runs 1000000 [--flows 20] [--states-per-run 3]
        [--logs-per-run 0] [--task-runs-per-run 0] [--batch 10000] [--truncate]

PostgreSQL: COPY inside one transaction; the secondary indexes and the unique/foreign-key
constraints of the loaded tables are dropped first and rebuilt at the end. With
`--keep-indexes` (COPY through the indexes) and on SQLite (executemany), each batch is its
own transaction. Both finish with ANALYZE (VACUUM ANALYZE on PostgreSQL). Flows,
deployments and a work pool are created (or reused) through the ORM; `--truncate` empties
the run tables first and keeps those.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, required=True, help="flow runs to add")
    parser.add_argument("--flows", type=int, default=20, help="flows to spread them over")
    parser.add_argument(
        "--states-per-run", type=int, default=3, help="max state rows per run (1-N, default 3)"
    )
    parser.add_argument("--logs-per-run", type=int, default=0, help="log lines per started run")
    parser.add_argument("--task-runs-per-run", type=int, default=0, help="per started run")
    parser.add_argument("--batch", type=int, default=10_000, help="runs generated per batch")
    parser.add_argument("--truncate", action="store_true", help="empty the run tables first")
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="PostgreSQL: load through the existing indexes instead of rebuilding them",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable data)")
    args = parser.parse_args(argv)
    if args.runs < 0 or args.flows < 1 or args.batch < 1 or args.states_per_run < 1:
        parser.error("--runs >= 0, --flows >= 1, --batch >= 1 and --states-per-run >= 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from flowruns.seeding.load import seed

    seed(
        runs=args.runs,
        flows=args.flows,
        states_per_run=args.states_per_run,
        task_runs_per_run=args.task_runs_per_run,
        logs_per_run=args.logs_per_run,
        batch_size=args.batch,
        truncate=args.truncate,
        keep_indexes=args.keep_indexes,
        random_seed=args.seed,
    )


if __name__ == "__main__":
    main()
