#!/usr/bin/env python
"""Ours against Prefect 3.8.8, side by side on this machine's PostgreSQL (see bench/README.md,
"Against Prefect").

    .venv/bin/python bench/compare.py [--reuse] [--runs 1000000] [--rounds 3]
        [--concurrency 1,8] [--requests 200] [--seconds 6] [--shapes filter,count]

1. Databases (unless --reuse): Prefect's, migrated by starting `prefect server start` once
   and filled by the shared seed script; ours, migrated and given the same rows
   (bench/mirror_prefect.py; `--ours-data profile` seeds `seed_flow_runs --profile reference`
   instead: same distribution, other rows, so answers can only be compared loosely).
2. Servers: ours with `make serve` (whatever the Makefile runs today), Prefect with
   `.venv-compat/bin/prefect server start --no-services --no-ui` (API only; see the README).
3. Same answers: every read shape is sent to both and the answers compared.
4. Rounds, interleaved per shape and concurrency: ours, Prefect, ours, Prefect, ... each
   bounded by --requests and --seconds; at c=1 each round also replays our SQL for the shape
   through psycopg. Writes (create, set_state) run last; their runs are deleted at the end.
5. Report: medians across rounds, ratios, memory per worker; JSON under bench/results/ and
   markdown on stdout.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import compare_report as report  # noqa: E402 - after the path is set
from bench import compare_setup as setup  # noqa: E402
from bench.compare_answers import same_answers  # noqa: E402
from bench.compare_shapes import SHAPES, Facts, Shape, scheduled_run_body  # noqa: E402
from bench.load import Client, Variant, loopback_target, run_variant  # noqa: E402

MAX_ROUNDS, MAX_SECONDS, MAX_REQUESTS = 20, 120.0, 5000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=1_000_000, help="runs to seed (not with --reuse)"
    )
    parser.add_argument("--ours-db", default=None, help="default bench_ours_<size>")
    parser.add_argument("--prefect-db", default=None, help="default bench_prefect_<size>")
    parser.add_argument("--reuse", action="store_true", help="use the databases as they are")
    parser.add_argument("--recreate", action="store_true", help="drop and rebuild existing ones")
    parser.add_argument("--ours-data", choices=("mirror", "profile"), default="mirror")
    parser.add_argument("--anchor", help="end of the seeded 30-day window (ISO 8601; default now)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="1,8", help="comma list")
    parser.add_argument("--requests", type=int, default=200, help="max per round and server")
    parser.add_argument("--seconds", type=float, default=6.0, help="max per round and server")
    parser.add_argument("--warmup", type=int, default=3, help="unrecorded requests per round")
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    parser.add_argument("--shapes", help="comma list of substrings of shape names (default all)")
    parser.add_argument("--ports", default="4410,4420", help="ours,Prefect")
    parser.add_argument("--workers", type=int, help="GUNICORN_WORKERS for ours (default: ours)")
    parser.add_argument(
        "--prefect-services", action="store_true", help="run both servers' background services"
    )
    parser.add_argument("--no-sql", action="store_true", help="skip the psycopg comparison")
    parser.add_argument("--json", help="default bench/results/compare-<date>-<size>.json")
    args = parser.parse_args(argv)
    size = _size(args.runs)
    args.ours_db = args.ours_db or f"bench_ours_{size}"
    args.prefect_db = args.prefect_db or f"bench_prefect_{size}"
    args.levels = [int(c) for c in args.concurrency.split(",")]
    args.port_ours, args.port_prefect = (int(p) for p in args.ports.split(","))
    if not (1 <= args.rounds <= MAX_ROUNDS and 0 < args.seconds <= MAX_SECONDS):
        parser.error(f"1 <= --rounds <= {MAX_ROUNDS}, 0 < --seconds <= {MAX_SECONDS:g}")
    if not 1 <= args.requests <= MAX_REQUESTS or not all(1 <= c <= 64 for c in args.levels):
        parser.error(f"1 <= --requests <= {MAX_REQUESTS}, concurrency 1..64")
    return args


def _size(runs: int) -> str:
    return f"{runs // 1_000_000}m" if runs % 1_000_000 == 0 else f"{runs // 1000}k"


# ---- data -------------------------------------------------------------------------------------
def prepare_databases(args: argparse.Namespace, logs: Path) -> None:
    exists = {db: setup.database_exists(db) for db in (args.ours_db, args.prefect_db)}
    if args.reuse:
        missing = [db for db, found in exists.items() if not found]
        if missing:
            raise SystemExit(f"--reuse: {missing} do not exist; run without --reuse first")
        return
    if any(exists.values()) and not args.recreate:
        found = [db for db, present in exists.items() if present]
        raise SystemExit(f"{found} exist: pass --reuse to use them or --recreate to rebuild")
    started = time.monotonic()
    setup.create_database(args.prefect_db, replace=True)
    with tempfile.TemporaryDirectory(prefix="prefect-home-") as home:
        server = setup.prefect_server(
            args.prefect_db,
            args.port_prefect,
            logs / "prefect-migrate.log",
            Path(home),
            services=False,
        )
        server.start(ready_within=300)  # migrates Prefect's schema on start-up
        server.stop()
    setup.seed_prefect(args.prefect_db, runs=args.runs, anchor=args.anchor)
    setup.create_database(args.ours_db, replace=True)
    source = args.prefect_db if args.ours_data == "mirror" else None
    setup.prepare_ours(args.ours_db, source=source, runs=args.runs, anchor=args.anchor)
    setup.say(f"databases ready in {time.monotonic() - started:.0f}s")


def facts_for(database: str, client: Client) -> Facts:
    found = setup.table_facts(database)
    flow = client.json("POST", "/flows/", {"name": setup.BENCH_FLOW}, expect=(200, 201))
    facts = Facts(
        flow_ids=found["flow_ids"],
        read_ids=found["read_ids"],
        history_start=found["history_start"],
        history_end=found["history_end"],
        window_end=found["window_end"],
        bench_flow_id=flow["id"],
        runs=found["runs"],
    )
    return facts


# ---- rounds -----------------------------------------------------------------------------------
def make_scheduled_runs(client: Client, facts: Facts, count: int) -> None:
    ids = [
        client.json(
            "POST", "/flow_runs/", scheduled_run_body(facts.bench_flow_id, n), expect=(201,)
        )["id"]
        for n in range(count)
    ]
    facts.scheduled = iter(ids)


def warm_up(targets, facts) -> None:
    """Every worker of both servers answers a few reads and filters first (a sync worker's
    first request imports and connects; without this the first rounds measure start-up)."""
    by_name = {shape.name: shape for shape in SHAPES}
    for name, requests in (("read", 160), ("filter team+state EXP_START_DESC", 24)):
        shape = by_name[name]
        for label, target in targets.items():
            warm = argparse.Namespace(
                concurrency=8, warmup=0, duration=60, requests=requests, check_body=False
            )
            run_variant(Variant(shape.group, name, shape.build(facts[label])), target, warm)
    setup.say("warmed up")


def run_cell(shape: Shape, facts: Facts, client: Client, target, args, concurrency: int) -> dict:
    if shape.name == "set_state":
        make_scheduled_runs(client, facts, (args.requests + args.warmup) // 3 + 2 * concurrency + 2)
    cell_args = argparse.Namespace(
        concurrency=concurrency,
        warmup=args.warmup,
        duration=args.seconds,
        requests=args.requests,
        check_body=shape.write,
    )
    result = run_variant(Variant(shape.group, shape.name, shape.build(facts)), target, cell_args)
    return result.summary()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    logs = ROOT / "var" / "bench-compare" / stamp
    logs.mkdir(parents=True, exist_ok=True)
    setup.ensure_compat_venv()
    prepare_databases(args, logs)
    for db, ours in ((args.ours_db, True), (args.prefect_db, False)):
        if deleted := setup.delete_bench_runs(db, ours=ours):
            setup.say(f"{db}: deleted {deleted} runs left by an earlier comparison")
    wanted = args.shapes.split(",") if args.shapes else None
    shapes = [s for s in SHAPES if not wanted or any(w in s.name for w in wanted)]
    shapes.sort(key=lambda s: s.write)  # writes last: every read sees the pristine data
    home = tempfile.TemporaryDirectory(prefix="prefect-home-")
    servers = {
        "ours": setup.ours_server(
            args.ours_db,
            args.port_ours,
            logs / "ours.log",
            args.workers,
            services=args.prefect_services,
        ),
        "prefect": setup.prefect_server(
            args.prefect_db,
            args.port_prefect,
            logs / "prefect.log",
            Path(home.name),
            services=args.prefect_services,
        ),
    }
    document: dict[str, Any] = {"started_at": stamp, "machine": machine_facts(args)}
    sql = None
    try:
        for server in servers.values():
            server.start(ready_within=300)
        targets = {
            k: loopback_target(s.url, use_gzip=True, timeout=args.timeout)
            for k, s in servers.items()
        }
        clients = {k: Client(t, decode=True) for k, t in targets.items()}
        dbs = {"ours": args.ours_db, "prefect": args.prefect_db}
        facts = {k: facts_for(dbs[k], clients[k]) for k in servers}
        document["runs_in_database"] = {k: f.runs for k, f in facts.items()}
        if facts["ours"].runs != facts["prefect"].runs:
            setup.say(f"warning: different numbers of runs: {document['runs_in_database']}")
        document["versions"] = {k: clients[k].json("GET", "/version") for k in servers}
        warm_up(targets, facts)
        sides = {k: (clients[k], facts[k]) for k in servers}
        document["same_answers"] = same_answers(shapes, sides, args.ours_data == "mirror")
        captured = {}
        if not args.no_sql:
            from bench.compare_sql import OurSql, describe

            sql = OurSql(setup.ours_env(args.ours_db)["DATABASE_URL"])
            for shape in shapes:
                if not shape.write:
                    calls = [shape.build(facts["ours"])(i) for i in range(shape.period)]
                    captured[shape.name] = sql.capture(shape.name, calls)
            document["our_sql"] = {k: describe(v) for k, v in captured.items()}
        document["cells"], document["sql"] = rounds(
            shapes, args, facts, clients, targets, sql, captured
        )
        document["memory"] = {k: s.memory() for k, s in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
        if sql is not None:
            sql.close()
        home.cleanup()
        for db, ours in ((args.ours_db, True), (args.prefect_db, False)):
            setup.delete_bench_runs(db, ours=ours)
    document["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    document["machine"]["loadavg_at_end"] = os.getloadavg()
    out = (
        Path(args.json)
        if args.json
        else ROOT / "bench/results" / f"compare-{stamp}-{_size(args.runs)}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, default=str))
    print(render(document))
    print(f"\nwrote {out}; server logs in {logs}")
    return 1 if any(c["ours"]["errors"] for c in document["cells"]) else 0


def rounds(shapes, args, facts, clients, targets, sql, captured) -> tuple[list, list]:
    cells, sql_rows = [], []
    total = len(shapes) * len(args.levels) * args.rounds
    done = itertools.count(1)
    for shape in shapes:
        for concurrency in args.levels:
            per_server: dict[str, list] = {"ours": [], "prefect": []}
            sql_rounds = []
            for r in range(args.rounds):
                for label in ("ours", "prefect"):
                    summary = run_cell(
                        shape, facts[label], clients[label], targets[label], args, concurrency
                    )
                    per_server[label].append(summary)
                if concurrency == 1 and shape.name in captured:
                    timed = sql.run(
                        captured[shape.name], requests=args.requests, seconds=args.seconds
                    )
                    sql_rounds.append(timed.summary())
                o, p = per_server["ours"][-1], per_server["prefect"][-1]
                setup.say(
                    f"[{next(done)}/{total}] {shape.name} c={concurrency} round {r + 1}: "
                    f"ours p50 {o['p50_ms']} ms {o['rps']} req/s ({o['errors']} err), "
                    f"Prefect p50 {p['p50_ms']} ms {p['rps']} req/s ({p['errors']} err)"
                )
            ours, prefect = (
                report.summarise(per_server["ours"]),
                report.summarise(per_server["prefect"]),
            )
            cells.append(
                {
                    "shape": shape.name,
                    "group": shape.group,
                    "concurrency": concurrency,
                    "ours": ours,
                    "prefect": prefect,
                    "ratios": report.ratios(shape.group, ours, prefect),
                    "rounds": per_server,
                }
            )
            if sql_rounds:
                statements = [len(r) for r in captured[shape.name].requests]
                sql_rows.append(
                    {
                        "shape": shape.name,
                        "statements": max(statements),
                        "http_p50_ms": ours["p50_ms"],
                        "sql_p50_ms": report.summarise(sql_rounds)["p50_ms"],
                        "rounds": sql_rounds,
                    }
                )
    return cells, sql_rows


def render(document: dict[str, Any]) -> str:
    parts = [
        "## Ours vs Prefect (medians across rounds; latencies in ms)",
        report.markdown(document["cells"]),
        "",
        report.answers_markdown(document.get("same_answers", [])),
    ]
    if document.get("sql"):
        parts += [
            "",
            "## HTTP vs the same SQL through psycopg",
            report.sql_markdown(document["sql"]),
        ]
    parts += ["", "## Memory after the run", report.memory_markdown(document.get("memory", {}))]
    return "\n".join(parts)


def machine_facts(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(setup.dsn("postgres")) as conn:
        pg = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in (
                "server_version",
                "shared_buffers",
                "work_mem",
                "effective_cache_size",
                "max_connections",
                "jit",
            )
        }
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 2**20, 1),
        "loadavg_at_start": os.getloadavg(),
        "postgres": pg,
        "python": platform.python_version(),
        "commit": commit,
        "ours_db": args.ours_db,
        "prefect_db": args.prefect_db,
        "ours_data": args.ours_data,
        "rounds": args.rounds,
        "concurrency": args.levels,
        "requests_per_round": args.requests,
        "seconds_per_round": args.seconds,
        "warmup": args.warmup,
        "prefect_services": args.prefect_services,
        "ours_workers": args.workers or "make serve default",
    }


if __name__ == "__main__":
    sys.exit(main())
