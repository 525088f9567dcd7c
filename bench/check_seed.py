#!/usr/bin/env python
"""Consistency checks over seeded (or any) flow-run data; exits 1 if one fails.

    .venv/bin/python bench/check_seed.py

Each check is one SQL query counting offending rows, so it is a full scan: give it a minute
at 1M runs on PostgreSQL.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from orchestration.states import TERMINAL_TYPES  # noqa: E402 - after the path is set

TERMINAL = f"({', '.join(sorted(repr(str(t)) for t in TERMINAL_TYPES))})"
CHECKS = {
    "run.state_id is its latest state": """
        SELECT count(*) FROM flow_run r
        WHERE r.state_id IS NULL OR r.state_id <> (
            SELECT s.id FROM flow_run_state s WHERE s.flow_run_id = r.id
            ORDER BY s.timestamp DESC LIMIT 1)""",
    "run.state_type/name/timestamp match its state": """
        SELECT count(*) FROM flow_run r JOIN flow_run_state s ON s.id = r.state_id
        WHERE r.state_type <> s.type OR r.state_name <> s.name
           OR r.state_timestamp <> s.timestamp OR s.flow_run_id <> r.id""",
    "no duplicate (flow_run, timestamp)": """
        SELECT count(*) FROM (SELECT flow_run_id, timestamp FROM flow_run_state
                              GROUP BY flow_run_id, timestamp HAVING count(*) > 1) d""",
    "end_time set exactly for terminal runs": f"""
        SELECT count(*) FROM flow_run
        WHERE (state_type IN {TERMINAL}) <> (end_time IS NOT NULL)""",
    "start <= end, run time >= 0": """
        SELECT count(*) FROM flow_run
        WHERE start_time > end_time OR total_run_time < 0 OR run_count < 0""",
    "run_count = RUNNING states in the history": """
        SELECT count(*) FROM flow_run r
        WHERE r.run_count <> (SELECT count(*) FROM flow_run_state s
                              WHERE s.flow_run_id = r.id AND s.type = 'RUNNING')""",
    "next_scheduled_start_time set exactly for SCHEDULED runs": """
        SELECT count(*) FROM flow_run
        WHERE (state_type = 'SCHEDULED') <> (next_scheduled_start_time IS NOT NULL)""",
    "expected_start_time always set": """
        SELECT count(*) FROM flow_run WHERE expected_start_time IS NULL""",
    "task_run.state_id is its latest state": """
        SELECT count(*) FROM task_run t
        WHERE t.state_id IS NULL OR t.state_id <> (
            SELECT s.id FROM task_run_state s WHERE s.task_run_id = t.id
            ORDER BY s.timestamp DESC LIMIT 1)""",
    "logs point at existing runs": """
        SELECT count(*) FROM log l
        WHERE l.flow_run_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM flow_run r WHERE r.id = l.flow_run_id)""",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from django.db import connection

    failed = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM flow_run")
        runs = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM flow_run_state")
        print(f"{runs:,} runs, {cursor.fetchone()[0]:,} states")
        cursor.execute(
            "SELECT state_type, count(*) FROM flow_run GROUP BY state_type ORDER BY 2 DESC"
        )
        for state_type, count in cursor.fetchall():
            print(f"  {state_type or '-':<11} {count:>10,}  {100 * count / max(runs, 1):5.1f}%")
        for label, sql in CHECKS.items():
            started = time.perf_counter()
            cursor.execute(sql)
            bad = cursor.fetchone()[0]
            failed |= bad > 0
            verdict = "ok" if bad == 0 else f"FAIL ({bad:,} rows)"
            print(f"{verdict:<16} {label}  [{time.perf_counter() - started:.1f}s]")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
