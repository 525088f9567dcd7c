#!/usr/bin/env python
"""A/B of server models on one database: sync WSGI workers vs the ASGI server (`make serve`).

    .venv/bin/python bench/ab.py --database-url postgres://postgres@127.0.0.1:5432/bench \
        [--models sync,asgi] [--rounds 5] [--requests 300] [--concurrency 1,8] \
        [--json bench/results/ab.json]

Every model runs as its own gunicorn (same config file, same worker count) on its own
loopback port, all on the same database, started once. Then, for each round, scenario and
concurrency, each model is measured in turn, in an order that alternates between rounds
(A B, B A, ...) so that drift (caches, table growth, autovacuum) hits both alike. Reported:
the median over rounds of req/s and p50, and new/old ratios. `bench/load.py` does the
requests (keep-alive `http.client` connections, loopback only).

Scenarios: read (`GET /flow_runs/{id}`), create (`POST /flow_runs/`), set_state
(`POST /flow_runs/{id}/set_state` PENDING -> RUNNING, on runs made PENDING just before, one
request per run), filter (`POST /flow_runs/filter`, 200 runs, tags+state), flow_page (the 200
latest runs of one flow by start time: the flow of the first sampled run) and paginate_50
(`POST /flow_runs/paginate`, no filter, 50 runs, pages 1-10 in turn). The read-only scenarios
leave the database as they found it, so two checkouts can be compared on one database
(`--models asgi@/path/to/worktree,asgi`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load
from bench.servers import MODELS, Server

SCENARIOS = ("read", "create", "set_state", "filter", "flow_page", "paginate_50")


def set_state_variant(client: load.Client, flow_id: str, count: int) -> load.Variant:
    """`count` fresh PENDING runs, each moved to RUNNING by exactly one request."""
    body = load.encode({"flow_id": flow_id, "tags": ["bench:ab"], "state": {"type": "PENDING"}})

    def make(_: int) -> str:
        maker = load.Client(client.target, decode=True)
        status, data = maker.request("POST", "/flow_runs/", body)
        maker.close()
        assert status == 201, (status, data[:200])
        return str(json.loads(data)["id"])

    with ThreadPoolExecutor(8) as pool:
        run_ids = list(pool.map(make, range(count)))
    counter = itertools.count()
    lock = threading.Lock()
    running = load.encode({"state": {"type": "RUNNING"}})

    def call(_: int) -> load.Call:
        with lock:
            run_id = run_ids[next(counter)]
        return load.Call("POST", f"/flow_runs/{run_id}/set_state", running, 201, lambda b: True)

    return load.Variant("set_state", "set_state", call)


def page_variant(scenario: str, busy_flow_id: str) -> load.Variant:
    if scenario == "flow_page":
        body = load.encode(
            {"flows": {"id": {"any_": [busy_flow_id]}}, "sort": "START_TIME_DESC", "limit": 200}
        )
        call = load.Call("POST", "/flow_runs/filter", body, 200, lambda b: len(b) == 200)
        return load.Variant(scenario, "200 runs of one flow, START_TIME_DESC", lambda i: call)
    pages = [_page_call(page) for page in range(1, 11)]
    return load.Variant(
        scenario, "paginate, no filter, 50 runs, pages 1-10", lambda i: pages[i % 10]
    )


def _page_call(page: int) -> load.Call:
    body = load.encode({"sort": "EXPECTED_START_TIME_DESC", "limit": 50, "page": page})
    return load.Call("POST", "/flow_runs/paginate", body, 200, lambda b: b["page"] == page)


def variant_for(
    scenario: str, server: Server, flow_id: str, run_ids: list[str], args, busy_flow_id: str
) -> Any:
    if scenario in ("flow_page", "paginate_50"):
        return page_variant(scenario, busy_flow_id)
    if scenario == "set_state":
        setup = load.Client(server.target(), decode=True)
        return set_state_variant(setup, flow_id, args.requests + args.warmup)
    name = {"filter": "filter tags+state ID_DESC"}.get(scenario, scenario)
    for variant in load.variants(scenario, flow_id, run_ids):
        if variant.name == name:
            return variant
    raise ValueError(scenario)


def measure(args: argparse.Namespace, servers: list[Server]) -> list[dict[str, Any]]:
    first = load.Client(servers[0].target(), decode=True)
    flow = first.json("POST", "/flows/", {"name": "bench-ab"}, expect=(200, 201))
    run_ids = load.sample_run_ids(first, 1000)
    busy_flow_id = first.json("GET", f"/flow_runs/{run_ids[0]}")["flow_id"]
    first.close()
    rows: list[dict[str, Any]] = []
    for round_no in range(args.rounds):
        order = servers if round_no % 2 == 0 else list(reversed(servers))
        for scenario in args.scenarios:
            for concurrency in args.concurrency:
                for server in order:
                    options = SimpleNamespace(
                        warmup=args.warmup,
                        duration=args.duration,
                        requests=args.requests,
                        concurrency=concurrency,
                        check_body=False,
                    )
                    variant = variant_for(scenario, server, flow["id"], run_ids, args, busy_flow_id)
                    result = load.run_variant(variant, server.target(), options).summary()
                    row = {"round": round_no, "model": server.model, "c": concurrency, **result}
                    rows.append(row)
                    print(
                        f"round {round_no} {scenario:<9} c={concurrency} {server.model:<12}"
                        f" {result['rps']:>8} req/s  p50 {result['p50_ms']:>7} ms"
                        f"  errors {result['errors']}",
                        flush=True,
                    )
    return rows


def summarise(rows: list[dict[str, Any]], baseline: str) -> list[dict[str, Any]]:
    table = []
    keys = sorted({(r["scenario"], r["c"], r["model"]) for r in rows}, key=str)
    medians: dict[tuple[str, int, str], tuple[float, float]] = {}
    for scenario, c, model in keys:
        picked = [r for r in rows if (r["scenario"], r["c"], r["model"]) == (scenario, c, model)]
        medians[(scenario, c, model)] = (
            statistics.median(r["rps"] for r in picked),
            statistics.median(r["p50_ms"] for r in picked),
        )
    for (scenario, c, model), (rps, p50) in medians.items():
        base_rps, base_p50 = medians.get((scenario, c, baseline), (rps, p50))
        table.append(
            {
                "scenario": scenario,
                "c": c,
                "model": model,
                "rps": round(rps, 1),
                "p50_ms": round(p50, 2),
                "rps_ratio": round(rps / base_rps, 3),
                "p50_ratio": round(p50 / base_p50, 3),
                "errors": sum(
                    r["errors"]
                    for r in rows
                    if (r["scenario"], r["c"], r["model"]) == (scenario, c, model)
                ),
            }
        )
    order = {s: i for i, s in enumerate(SCENARIOS)}
    return sorted(table, key=lambda t: (order[t["scenario"]], t["c"], t["model"]))


def print_table(table: list[dict[str, Any]], baseline: str) -> None:
    print(f"\nmedians over rounds; ratios against {baseline}")
    header = f"{'scenario':<10} {'c':>2} {'model':<12} {'req/s':>8} {'p50 ms':>8}"
    print(f"{header} {'rps x':>6} {'p50 x':>6}")
    for t in table:
        print(
            f"{t['scenario']:<10} {t['c']:>2} {t['model']:<12} {t['rps']:>8} {t['p50_ms']:>8}"
            f" {t['rps_ratio']:>6} {t['p50_ratio']:>6}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL, seeded (seed.py)")
    parser.add_argument("--models", default="sync,asgi", help=f"comma list of {sorted(MODELS)}")
    parser.add_argument("--scenario", default=",".join(SCENARIOS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300, help="per measurement")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20, help="seconds, per measurement")
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--workers", type=int, default=5, help="GUNICORN_WORKERS for all")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    args.models = args.models.split(",")
    args.scenarios = [s for s in SCENARIOS if s in args.scenario.split(",")]
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    if not (1 <= args.rounds <= 20 and 1 <= args.requests <= 5000 and args.duration <= 120):
        parser.error("1 <= --rounds <= 20, 1 <= --requests <= 5000, --duration <= 120")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    servers = [Server(model, args.database_url, args.workers) for model in args.models]
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        for server in servers:
            server.start()
        time.sleep(2)
        rows = measure(args, servers)
    finally:
        for server in servers:
            server.stop()
    table = summarise(rows, baseline=args.models[0])
    print_table(table, args.models[0])
    if args.json:
        document = {
            "started_at": started_at,
            "models": {s.model: " ".join(s.command) for s in servers},
            "workers": args.workers,
            "rounds": args.rounds,
            "requests": args.requests,
            "warmup": args.warmup,
            "machine": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
            + " cores",
            "summary": table,
            "runs": rows,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(document, indent=2))
        print(f"wrote {args.json}")
    return 1 if any(t["errors"] for t in table) else 0


if __name__ == "__main__":
    sys.exit(main())
