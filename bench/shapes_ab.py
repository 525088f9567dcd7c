#!/usr/bin/env python
"""A/B of the filter and paginate shapes of bench/compare.py, in-process, two code trees.

    .venv/bin/python bench/shapes_ab.py \\
        --side before=/tmp/base@postgres://postgres@127.0.0.1:5432/bench_before \\
        --side after=.@postgres://postgres@127.0.0.1:5432/bench_after \\
        --rounds 3 --requests 30 --json bench/results/shapes-ab.json

Each side is a source tree (e.g. `git archive main | tar -x -C /tmp/base`) and a database
holding the reference rows at that tree's migrations. Every round runs each side once, in a
fresh process, in alternating order (A B, B A, ...); a process sends each shape's requests
(the same i-th request on both sides) through Django's test client, the real URL routing,
view and serializer, against its database: no HTTP server, no network. Per request it records
the whole request's time, and the time of its SQL statements other than `COUNT(*)` (the page
itself; paginate's count is another path). Reported: per shape the median across rounds of
each round's p50, and the ratio before / after. The answers of the first requests of each
shape (ids in order, and paginate's count) must be the same on both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
GROUPS = ("filter", "paginate", "task_runs")


def extra_shapes() -> tuple[Any, ...]:
    """The reference filter under the other sorts clients send, and by state names."""
    from bench.compare_shapes import FILTER, Shape, _flow_query, _flow_runs, ids, team_finished

    names = {"state": {"name": {"any_": ["Completed", "Failed"]}}}
    by_sort = [
        Shape(
            f"filter team+state {sort}",
            "filter",
            _flow_runs(FILTER, lambda f, i, s=sort: _flow_query(s, flow_runs=team_finished(i))),
            ids,
        )
        for sort in ("START_TIME_DESC", "NAME_ASC", "ID_DESC")
    ]
    by_name = Shape(
        "filter state names EXP_START_DESC",
        "filter",
        _flow_runs(FILTER, lambda f, i: _flow_query("EXPECTED_START_TIME_DESC", flow_runs=names)),
        ids,
    )
    return (*by_sort, by_name)


def measure(code: str, requests: int, shapes: str | None) -> dict[str, Any]:
    """One side, one round, in this process (the `--measure` mode)."""
    sys.path.insert(0, str(Path(code).resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    import flowruns
    from bench.compare_setup import table_facts
    from bench.compare_shapes import SHAPES, Facts

    found = table_facts(connection.settings_dict["NAME"])
    facts = Facts(**{k: v for k, v in found.items() if k != "runs"})
    client = Client()
    wanted = shapes.split(",") if shapes else None
    out: dict[str, Any] = {"code": str(Path(flowruns.__file__).parents[1]), "shapes": {}}
    for shape in (*SHAPES, *extra_shapes()):
        if shape.group not in GROUPS or "/task_runs/" in shape.build(facts)(0).path:
            continue
        if wanted and not any(w in shape.name for w in wanted):
            continue
        out["shapes"][shape.name] = _measure_shape(client, connection, shape, facts, requests)
    return out


def _measure_shape(client: Any, connection: Any, shape: Any, facts: Any, requests: int) -> Any:
    build = shape.build(facts)
    sql_ms: list[float] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if "COUNT(*)" not in sql:
                sql_ms[-1] += (time.perf_counter() - started) * 1000

    def send(i: int) -> tuple[float, Any]:
        call = build(i)
        started = time.perf_counter()
        response = client.post("/api" + call.path, call.body, content_type="application/json")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (shape.name, response.status_code)
        return elapsed, response.json()

    answers = [shape.answer(send(i)[1]) if shape.answer else None for i in range(2)]
    totals = []
    with connection.execute_wrapper(timed):
        for i in range(requests):
            sql_ms.append(0.0)
            totals.append(send(i)[0])
    return {
        "p50_ms": statistics.median(totals),
        "page_sql_p50_ms": statistics.median(sql_ms),
        "answers": answers,
    }


def run_side(code: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(HERE), "--measure", code, "--requests", str(args.requests)]
    if args.shapes:
        command += ["--shapes", args.shapes]
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench")}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", action="append", help="name=code_dir@database_url (twice)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--shapes", help="comma list of shape names (substring match)")
    parser.add_argument("--json", help="write every round here")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.requests, args.shapes), default=str))
        return
    if not args.side or len(args.side) != 2:
        parser.error("give --side twice")
    sides = []
    for spec in args.side:
        name, _, rest = spec.partition("=")
        code, _, url = rest.partition("@")
        sides.append((name, code, url))
    rounds: list[dict[str, Any]] = []
    for r in range(args.rounds):
        order = sides if r % 2 == 0 else sides[::-1]
        result = {}
        for name, code, url in order:
            started = time.time()
            result[name] = run_side(code, url, args)
            print(f"round {r + 1}: {name} ({result[name]['code']}) {time.time() - started:.0f} s")
        rounds.append(result)
    report(sides, rounds)
    if args.json:
        Path(args.json).write_text(json.dumps({"sides": sides, "rounds": rounds}, indent=1))


def report(sides: list[tuple[str, str, str]], rounds: list[dict[str, Any]]) -> None:
    a, b = sides[0][0], sides[1][0]
    names = list(rounds[0][a]["shapes"])
    print(
        f"| shape | {a} p50 | {b} p50 | {a}/{b} | {a} page SQL p50 | {b} page SQL p50 "
        f"| {a}/{b} | same answers |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|:-:|")
    for shape in names:
        cells = []
        for key in ("p50_ms", "page_sql_p50_ms"):
            medians = [
                statistics.median(r[side]["shapes"][shape][key] for r in rounds) for side in (a, b)
            ]
            cells += [f"{medians[0]:,.1f}", f"{medians[1]:,.1f}", f"{medians[0] / medians[1]:.1f}x"]
        same = all(
            r[a]["shapes"][shape]["answers"] == r[b]["shapes"][shape]["answers"] for r in rounds
        )
        print(f"| {shape} | {' | '.join(cells)} | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
