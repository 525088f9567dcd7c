#!/usr/bin/env python
"""Events ingestion and the task-run recorder on databases of different sizes, interleaved.

    .venv/bin/python bench/events_at_size.py \\
        --databases empty=postgres://postgres@127.0.0.1:5432/ev_empty,1m=postgres://...ev_1m \\
        [--rounds 3] [--workers 5] [--sockets 1,8] [--measures ingest,recorder,lag] \\
        [--events 3000] [--task-runs 600] [--rate 30] [--seconds 20] [--json PATH]

For each round, and each database in turn (the order alternates between rounds: A B, B A,
...), it starts `make serve`'s server on that database (`bench/servers.py`, model `asgi`,
`--workers` workers, access log off), then measures on 1 and 8 sockets:

* `ingest`: events/s of `bench/events_ws.py` (generic 1.2 kB events, no recorder work);
* `recorder`: task-run events recorded per second (`bench/events_recorder.py`);
* `lag`: p50/p90/p99 from sending a task-run event to its state being readable over REST,
  at `--rate` events/s in all;

and stops the server, so only one server runs at a time. Fill a database first with
`bench/events_fill.py`. The report gives, per measurement, the median over rounds for each
database and the ratio to the first database. A sampler records the most connections the
server held on its database (`pg_stat_activity`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import events_recorder, events_ws
from bench.servers import Server


class ConnectionPeak:
    """The most backends connected to one database, sampled every half second."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.wait(0.5):
                row = conn.execute(
                    "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()"
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)

    def __enter__(self) -> ConnectionPeak:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def table_sizes(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            """
            SELECT parent.relname, coalesce(sum(greatest(child.reltuples, 0)), 0)::bigint
            FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname IN ('events', 'event_resources')
            GROUP BY parent.relname
            """
        ).fetchall()
        task_runs = conn.execute("SELECT count(*) FROM task_run").fetchone()
    return {**{name: int(n) for name, n in rows}, "task_run": int(task_runs[0] if task_runs else 0)}


def one_server(label: str, url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    server = Server("asgi", url, args.workers)
    results: list[dict[str, Any]] = []
    sizes = table_sizes(url)
    server.start()
    try:
        target = server.target()
        ws_url = f"ws://{target.host}:{target.port}{target.base}/events/in"
        with ConnectionPeak(url) as peak:
            for sockets in args.sockets if "ingest" in args.measures else ():
                found = events_ws.measure(target, ws_url, sockets, args.events)
                results.append({"measure": "ingest", **found})
            for sockets in args.sockets if "recorder" in args.measures else ():
                found = events_recorder.measure_throughput(target, ws_url, sockets, args.task_runs)
                results.append({"measure": "recorder", **found})
            for sockets in args.sockets if "lag" in args.measures else ():
                found = events_recorder.measure_lag(
                    target, ws_url, sockets, args.rate, args.seconds, args.poll_ms
                )
                results.append({"measure": "lag", **found})
    finally:
        server.stop()
    for result in results:
        result.update(database=label, sizes=sizes, connections_peak=peak.peak)
        print(json.dumps(result), flush=True)
    return results


UNITS = {"ingest": ("events/s",), "recorder": ("events/s",), "lag": ("p50 ms", "p90 ms", "p99 ms")}


def _value(run: dict[str, Any], unit: str) -> float | None:
    if unit == "events/s":
        return float(run["events_per_s"])
    value = run["lag_ms"][unit.split()[0]]
    return None if value is None else float(value)


def summary(runs: list[dict[str, Any]], labels: list[str]) -> list[dict[str, Any]]:
    """Per (measure, sockets): the median over rounds for each database, the ratio of those
    medians to labels[0]'s, and the median of the per-round ratios (each round measures the
    databases back to back, so a round's ratio sees the least change of background load)."""
    rows = []
    base, *others = labels
    for measure, sockets in sorted({(r["measure"], r["sockets"]) for r in runs}):
        row: dict[str, Any] = {"measure": measure, "sockets": sockets}
        same = [r for r in runs if (r["measure"], r["sockets"]) == (measure, sockets)]
        for unit in UNITS[measure]:
            by_round: dict[str, dict[int, float]] = {label: {} for label in labels}
            for run in same:
                value = _value(run, unit)
                if value is not None and run["database"] in by_round:
                    by_round[run["database"]][run["round"]] = value
            for label in labels:
                values = list(by_round[label].values())
                row[f"{label} {unit}"] = round(statistics.median(values), 1) if values else None
            for label in others:
                a, b = row[f"{base} {unit}"], row[f"{label} {unit}"]
                row[f"{label}/{base} {unit}"] = round(b / a, 2) if a and b else None
                paired = [
                    by_round[label][n] / by_round[base][n]
                    for n in by_round[label]
                    if by_round[base].get(n)
                ]
                row[f"{label}/{base} {unit} per round"] = (
                    round(statistics.median(paired), 2) if paired else None
                )
        rows.append(row)
    return rows


def merge(spec: str, output: str | None) -> int:
    labels, runs = [], []
    for item in spec.split(","):
        label, paths = item.split("=", 1)
        labels.append(label)
        for round_, path in enumerate(paths.split("+")):
            document = json.loads(Path(path).read_text())
            runs += [{**run, "round": round_, "database": label} for run in document["runs"]]
    rows = summary(runs, labels)
    for row in rows:
        print(json.dumps(row), flush=True)
    if output:
        document = {"merged": spec, "summary": rows, "runs": runs}
        Path(output).write_text(json.dumps(document, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", help="label=url,label=url")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--sockets", default="1,8")
    parser.add_argument("--measures", default="ingest,recorder,lag")
    parser.add_argument("--events", type=int, default=3000, help="per ingest measurement")
    parser.add_argument("--task-runs", type=int, default=600, help="per recorder measurement")
    parser.add_argument("--rate", type=float, default=30.0, help="lag: events/s, all sockets")
    parser.add_argument("--seconds", type=float, default=20.0, help="lag: duration")
    parser.add_argument("--poll-ms", type=float, default=10.0)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument(
        "--merge",
        metavar="LABEL=FILE+FILE,...",
        help="measure nothing: summarise result files, the runs of each under its label, "
        "file n of every label as round n (an A/B of two code versions)",
    )
    args = parser.parse_args(argv)
    if args.merge:
        return merge(args.merge, args.json)
    if not args.databases:
        parser.error("--databases or --merge is required")
    args.sockets = [int(s) for s in args.sockets.split(",")]
    args.measures = args.measures.split(",")
    databases = dict(item.split("=", 1) for item in args.databases.split(","))
    labels = list(databases)
    started = datetime.now(UTC)
    runs: list[dict[str, Any]] = []
    for round_ in range(args.rounds):
        order = labels if round_ % 2 == 0 else labels[::-1]
        for label in order:
            for result in one_server(label, databases[label], args):
                runs.append({"round": round_, **result})
    rows = summary(runs, labels)
    for row in rows:
        print(json.dumps(row), flush=True)
    if args.json:
        document = {
            "started_at": started.isoformat(),
            "seconds": round((datetime.now(UTC) - started).total_seconds()),
            "arguments": {k: v for k, v in vars(args).items() if k != "json"},
            "databases": {label: url.rsplit("/", 1)[-1] for label, url in databases.items()},
            "summary": rows,
            "runs": runs,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
